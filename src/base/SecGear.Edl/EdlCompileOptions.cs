using System.Collections.Generic;

namespace SecGear.Edl
{
    /// <summary>Inputs besides the root file: import search paths, <c>-D</c> names, and where imports are read from.</summary>
    public sealed record EdlCompileOptions
    {
        /// <summary>Directories searched for relative imports (Intel order: most recently given first, then the working directory).</summary>
        public IReadOnlyList<string> SearchPaths { get; init; } = new string[0];

        /// <summary>Names defined for <c>#ifdef</c>/<c>#ifndef</c>.</summary>
        public IReadOnlyCollection<string> Defines { get; init; } = new string[0];

        /// <summary>Reads imported files; null means imports fail with a diagnostic.</summary>
        public IEdlFileProvider? Files { get; init; }
    }
}
