using System.Collections.Generic;

namespace SecGear.Edl;

/// <summary>Inputs besides the root file: import search paths, <c>-D</c> names, and where imports are read from.</summary>
public sealed record EdlCompileOptions
{
    /// <summary>
    /// Directories searched for relative imports, in the order they were given (<c>-I a -I b</c> gives
    /// <c>[a, b]</c>). Intel order applies: the most recently given directory is searched first, then the import
    /// path as written (the working directory). Imports are never resolved relative to the importing file.
    /// </summary>
    public IReadOnlyList<string> SearchPaths { get; init; } = new string[0];

    /// <summary>Names defined for <c>#ifdef</c>/<c>#ifndef</c>.</summary>
    public IReadOnlyCollection<string> Defines { get; init; } = new string[0];

    /// <summary>Reads imported files; null means imports fail with a diagnostic.</summary>
    public IEdlFileProvider? Files { get; init; }

    /// <summary>
    /// Sizes in bytes of foreign types (names the EDL uses but does not define, e.g. <c>sgx_report_t</c>). C# cannot
    /// evaluate a C <c>sizeof</c>, so a foreign type used by value, through <c>isptr</c>/<c>isary</c>, or behind an
    /// <c>in</c>/<c>out</c> pointer without an explicit <c>size</c> needs an entry here.
    /// </summary>
    public IReadOnlyDictionary<string, int> ForeignTypeSizes { get; init; } = new Dictionary<string, int>();

    /// <summary>
    /// Values of C constants that enumerators name but EDL does not define (<c>X = SOME_ENUM_MAX</c>). A named
    /// constant found here gives the enumerator its value; one not found is accepted with warning SG0346 and the
    /// enumerator has no value in C# (see docs/edl.md).
    /// </summary>
    public IReadOnlyDictionary<string, long> ForeignConstants { get; init; } = new Dictionary<string, long>();

    /// <summary>
    /// The EDL dialect: <see cref="EdlDialect.Intel"/> (the default) applies Intel edger8r's rules;
    /// <see cref="EdlDialect.OpenEnclave"/> accepts oeedger8r's relaxations (deep-copy structs written by their
    /// typedef name, arrays without a direction) with warnings instead of errors.
    /// </summary>
    public EdlDialect Dialect { get; init; } = EdlDialect.Intel;

    /// <summary>
    /// The order <see cref="SearchPaths"/> are searched in. <see cref="EdlImportOrder.LastFirst"/> (the default, Intel
    /// edger8r) tries the most recently given directory first; <see cref="EdlImportOrder.FirstFirst"/> (Open Enclave
    /// oeedger8r) tries them in the order given. Either way the import path as written comes last.
    /// </summary>
    public EdlImportOrder ImportOrder { get; init; } = EdlImportOrder.LastFirst;

    /// <summary>
    /// When true (the default), a contract with no public ECALL is an error (SG0325). Turn it off to check a
    /// library EDL that is only ever imported.
    /// </summary>
    public bool RequirePublicEcall { get; init; } = true;

    /// <summary>When true, every warning is reported as an error (like <c>-Werror</c>).</summary>
    public bool TreatWarningsAsErrors { get; init; }
}
