using System.Text;
using System.Text.Json.Nodes;

namespace SecGear.Attestation.Tests.Fuzzing;

/// <summary>
/// JSON structure mutations: removes a property, retypes a value (string, number, null, object, array), cuts a
/// string, or repeats a property (written as text, since <see cref="JsonNode"/> cannot hold duplicates). Strings that
/// hold JSON themselves (signed TCB info text) are descended into.
/// </summary>
internal static class JsonMutations
{
    public static byte[] Mutate(Random random, byte[] json)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json);
        }
        catch (System.Text.Json.JsonException)
        {
            return ByteMutations.Any(random, json);
        }

        if (root is null)
        {
            return ByteMutations.Any(random, json);
        }

        if (random.Next(8) == 0 && root is JsonObject top && top.Count > 0)
        {
            // A duplicate key, which strict readers must refuse.
            var first = top.First();
            string text = root.ToJsonString();
            string duplicate = $"{{\"{first.Key}\":{first.Value?.ToJsonString() ?? "null"},";
            return Encoding.UTF8.GetBytes(duplicate + text[1..]);
        }

        root = MutateTree(random, root);
        return Encoding.UTF8.GetBytes(root?.ToJsonString() ?? "null");
    }

    private static JsonNode? MutateTree(Random random, JsonNode root)
    {
        var nodes = new List<JsonNode>();
        Collect(root, nodes);
        var target = nodes[random.Next(nodes.Count)];
        if (target is JsonValue value && value.TryGetValue<string>(out var s) && s.Length > 1 && s[0] is '{' or '[' && random.Next(2) == 0)
        {
            try
            {
                if (JsonNode.Parse(s) is { } inner)
                {
                    return Replace(root, target, JsonValue.Create(MutateTree(random, inner)?.ToJsonString() ?? "null"));
                }
            }
            catch (System.Text.Json.JsonException)
            {
                // Not JSON after all; mutate it as a string below.
            }
        }

        JsonNode? replacement;
        switch (random.Next(4))
        {
            case 0 when target.Parent is JsonObject parent:
                parent.Remove(target.GetPropertyName());
                return root;
            case 1 when target is JsonValue v && v.TryGetValue<string>(out var str):
                replacement = JsonValue.Create(str[..random.Next(str.Length + 1)]);
                break;
            default:
                replacement = random.Next(6) switch
                {
                    0 => JsonValue.Create(0),
                    1 => JsonValue.Create(-1.5),
                    2 => JsonValue.Create("x"),
                    3 => new JsonObject(),
                    4 => new JsonArray(),
                    _ => null,
                };
                break;
        }

        return Replace(root, target, replacement);
    }

    /// <summary>Puts <paramref name="replacement"/> where <paramref name="target"/> was; returns the (possibly new) root.</summary>
    private static JsonNode? Replace(JsonNode root, JsonNode target, JsonNode? replacement)
    {
        switch (target.Parent)
        {
            case JsonObject parent:
                parent[target.GetPropertyName()] = replacement;
                return root;
            case JsonArray array:
                array[target.GetElementIndex()] = replacement;
                return root;
            default:
                return replacement;
        }
    }

    private static void Collect(JsonNode node, List<JsonNode> nodes)
    {
        nodes.Add(node);
        switch (node)
        {
            case JsonObject obj:
                foreach (var (_, child) in obj.ToList())
                {
                    if (child is not null)
                    {
                        Collect(child, nodes);
                    }
                }

                break;
            case JsonArray array:
                foreach (var child in array)
                {
                    if (child is not null)
                    {
                        Collect(child, nodes);
                    }
                }

                break;
        }
    }
}
