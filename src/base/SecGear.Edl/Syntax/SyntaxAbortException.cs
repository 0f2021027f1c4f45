using System;

namespace SecGear.Edl.Syntax;

/// <summary>
/// Thrown inside the parser after a syntax error has been reported, to stop parsing the file (as edger8r does).
/// It never leaves <see cref="Parser"/>.
/// </summary>
internal sealed class SyntaxAbortException : Exception
{
    public SyntaxAbortException()
        : base("EDL syntax error (already reported).")
    {
    }
}
