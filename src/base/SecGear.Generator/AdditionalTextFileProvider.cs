using System.Collections.Generic;
using SecGear.Edl;

namespace SecGear.Generator;

/// <summary>Serves EDL imports from the build's AdditionalFiles (generators must not read the file system).</summary>
internal sealed class AdditionalTextFileProvider : IEdlFileProvider
{
    private readonly Dictionary<string, string> _files = new Dictionary<string, string>(System.StringComparer.Ordinal);

    public AdditionalTextFileProvider(IEnumerable<EdlSource> sources)
    {
        foreach (EdlSource s in sources)
        {
            _files[s.Path] = s.Text;
        }
    }

    public string? TryRead(string path) =>
        _files.TryGetValue(PathText.Normalize(path), out string? text) ? text : null;
}
