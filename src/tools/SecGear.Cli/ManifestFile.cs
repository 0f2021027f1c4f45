using System.Text.Json;
using SecGear.Images;

namespace SecGear.Cli;

/// <summary>
/// Reads a manifest JSON file strictly: known camelCase properties only, integers in range, no duplicates.
/// Values given on the command line override the file.
/// </summary>
internal sealed class ManifestFile
{
    private static readonly string[] Known = ["name", "productId", "securityVersion", "debug", "maxThreads", "heapLimit", "entryAssembly"];

    public string? Name { get; set; }

    public ushort? ProductId { get; set; }

    public ushort? SecurityVersion { get; set; }

    public bool? Debug { get; set; }

    public int? MaxThreads { get; set; }

    public long? HeapLimit { get; set; }

    public string? EntryAssembly { get; set; }

    public static ManifestFile Read(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow });
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            throw new JsonException($"Manifest '{path}' must be a JSON object.");
        }

        var manifest = new ManifestFile();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in document.RootElement.EnumerateObject())
        {
            if (!Known.Contains(property.Name, StringComparer.Ordinal))
            {
                throw new JsonException($"Manifest '{path}' has unknown property '{property.Name}'; known: {string.Join(", ", Known)}.");
            }

            if (!seen.Add(property.Name))
            {
                throw new JsonException($"Manifest '{path}' sets '{property.Name}' twice.");
            }

            var value = property.Value;
            switch (property.Name)
            {
                case "name":
                    manifest.Name = String(value, property.Name);
                    break;
                case "entryAssembly":
                    manifest.EntryAssembly = String(value, property.Name);
                    break;
                case "debug":
                    manifest.Debug = value.ValueKind switch
                    {
                        JsonValueKind.True => true,
                        JsonValueKind.False => false,
                        _ => throw new JsonException("Manifest property 'debug' must be true or false."),
                    };
                    break;
                case "productId":
                    manifest.ProductId = (ushort)Integer(value, property.Name, ushort.MaxValue);
                    break;
                case "securityVersion":
                    manifest.SecurityVersion = (ushort)Integer(value, property.Name, ushort.MaxValue);
                    break;
                case "maxThreads":
                    manifest.MaxThreads = (int)Integer(value, property.Name, int.MaxValue);
                    break;
                default:
                    manifest.HeapLimit = Integer(value, property.Name, long.MaxValue);
                    break;
            }
        }

        return manifest;
    }

    public EnclaveManifest ToManifest()
    {
        var defaults = new EnclaveManifest { Name = "-", EntryAssembly = "-" };
        return new EnclaveManifest
        {
            Name = Name ?? throw new CliUsageException("the enclave name is missing: set \"name\" in the manifest or pass --name"),
            EntryAssembly = EntryAssembly ?? throw new CliUsageException("the entry assembly is missing: set \"entryAssembly\" in the manifest or pass --entry"),
            ProductId = ProductId ?? defaults.ProductId,
            SecurityVersion = SecurityVersion ?? defaults.SecurityVersion,
            Debug = Debug ?? defaults.Debug,
            MaxThreads = MaxThreads ?? defaults.MaxThreads,
            HeapLimit = HeapLimit ?? defaults.HeapLimit,
        };
    }

    private static string String(JsonElement value, string name) =>
        value.ValueKind == JsonValueKind.String ? value.GetString()! : throw new JsonException($"Manifest property '{name}' must be a string.");

    private static long Integer(JsonElement value, string name, long max) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out long number) && number >= 0 && number <= max
            ? number
            : throw new JsonException($"Manifest property '{name}' must be an integer in 0..{max}.");
}
