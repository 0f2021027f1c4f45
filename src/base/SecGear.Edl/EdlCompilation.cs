using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using SecGear.Edl.Model;

namespace SecGear.Edl;

/// <summary>The result of compiling an EDL file: diagnostics, and the contract when there is no error.</summary>
public sealed record EdlCompilation(EdlContract? Contract, IReadOnlyList<EdlDiagnostic> Diagnostics)
{
    /// <summary>True when some diagnostic is an error (then <see cref="Contract"/> is null); false means there is a contract.</summary>
    [MemberNotNullWhen(false, nameof(Contract))]
    public bool HasErrors
    {
        get
        {
            if (Contract is null)
            {
                return true;
            }

            foreach (EdlDiagnostic d in Diagnostics)
            {
                if (d.Severity == EdlSeverity.Error)
                {
                    return true;
                }
            }

            return false;
        }
    }
}
