using System.Collections.Generic;

namespace SecGear.Edl
{
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
        /// When true (the default), a contract with no public ECALL is an error (SG0325). Turn it off to check a
        /// library EDL that is only ever imported.
        /// </summary>
        public bool RequirePublicEcall { get; init; } = true;

        /// <summary>When true, every warning is reported as an error (like <c>-Werror</c>).</summary>
        public bool TreatWarningsAsErrors { get; init; }
    }
}
