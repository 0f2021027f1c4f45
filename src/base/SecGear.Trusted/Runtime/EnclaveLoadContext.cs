using System.Reflection;
using System.Runtime.Loader;
using SecGear.Images;

namespace SecGear.Trusted.Runtime;

/// <summary>
/// Loads an enclave's assemblies from the verified image bytes (never from disk paths), and binds the assemblies
/// that form the boundary (SecGear.Core, SecGear.Trusted, the logging abstractions) to the copies the runtime itself
/// runs on, so that seam types are the same types on both sides of the load context.
/// </summary>
internal sealed class EnclaveLoadContext : AssemblyLoadContext
{
    private static readonly HashSet<string> SharedAssemblies = new(StringComparer.OrdinalIgnoreCase)
    {
        "SecGear.Core",
        "SecGear.Trusted",
        "Microsoft.Extensions.Logging.Abstractions",
        "Microsoft.Extensions.DependencyInjection.Abstractions",
    };

    private readonly Dictionary<string, EnclaveImageFile> _assemblies = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, EnclaveImageFile> _symbols = new(StringComparer.OrdinalIgnoreCase);

    public EnclaveLoadContext(EnclaveImage image)
        : base($"SecGear enclave '{image.Manifest.Name}'", isCollectible: true)
    {
        foreach (EnclaveImageFile file in image.Files)
        {
            // Only top-level files are candidates: the runtime never probes sub-directories of an image.
            if (file.Path.Contains('/', StringComparison.Ordinal))
            {
                continue;
            }

            if (file.Path.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
            {
                _assemblies[file.Path[..^4]] = file;
            }
            else if (file.Path.EndsWith(".pdb", StringComparison.OrdinalIgnoreCase))
            {
                _symbols[file.Path[..^4]] = file;
            }
        }
    }

    /// <summary>Loads <paramref name="file"/> (and its symbols, when the image has them) as an assembly.</summary>
    public Assembly LoadImageAssembly(EnclaveImageFile file)
    {
        string name = Path.GetFileNameWithoutExtension(file.Path);
        _symbols.TryGetValue(name, out EnclaveImageFile? pdb);
        using var assembly = new MemoryStream(file.Content.ToArray(), writable: false);
        using MemoryStream? symbols = pdb is null ? null : new MemoryStream(pdb.Content.ToArray(), writable: false);
        return LoadFromStream(assembly, symbols);
    }

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        string? name = assemblyName.Name;
        if (name is null || SharedAssemblies.Contains(name))
        {
            return null;
        }

        return _assemblies.TryGetValue(name, out EnclaveImageFile? file) ? LoadImageAssembly(file) : null;
    }
}
