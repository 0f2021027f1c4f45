namespace SecGear.Images;

/// <summary>
/// The signed description of an enclave (DESIGN.md section 5). Part of the measurement.
/// </summary>
public sealed record EnclaveManifest
{
    /// <summary>Enclave name.</summary>
    public required string Name { get; init; }

    /// <summary>Product id (ISVPRODID analogue).</summary>
    public ushort ProductId { get; init; }

    /// <summary>Security version (ISVSVN analogue).</summary>
    public ushort SecurityVersion { get; init; }

    /// <summary>Debug enclave: may be inspected; sealing keys differ from production keys.</summary>
    public bool Debug { get; init; }

    /// <summary>Maximum concurrent ECALLs (TCS count).</summary>
    public int MaxThreads { get; init; } = 8;

    /// <summary>Heap limit in bytes.</summary>
    public long HeapLimit { get; init; } = 256L * 1024 * 1024;

    /// <summary>Path (inside the image) of the assembly the runtime loads first.</summary>
    public required string EntryAssembly { get; init; }
}
