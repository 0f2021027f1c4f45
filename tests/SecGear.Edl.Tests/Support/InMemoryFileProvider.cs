using SecGear.Edl;

namespace SecGear.Edl.Tests.Support;

/// <summary>Serves imports from a dictionary and records every path asked for.</summary>
internal sealed class InMemoryFileProvider(IReadOnlyDictionary<string, string> files) : IEdlFileProvider
{
    public List<string> Requests { get; } = [];

    public string? TryRead(string path)
    {
        Requests.Add(path);
        return files.TryGetValue(path, out string? text) ? text : null;
    }
}
