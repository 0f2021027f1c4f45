using SecGear.Edl;

namespace SecGear.Edl.Tests.Support;

/// <summary>Serves imports from the real file system (the corpus directory).</summary>
internal sealed class DirectoryFileProvider : IEdlFileProvider
{
    public List<string> Requests { get; } = [];

    public string? TryRead(string path)
    {
        Requests.Add(path);
        return File.Exists(path) ? File.ReadAllText(path) : null;
    }
}
