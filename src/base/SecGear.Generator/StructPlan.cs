using System.Collections.Generic;
using SecGear.Edl.Model;

namespace SecGear.Generator;

/// <summary>An EDL struct or union with the C# type of every member.</summary>
internal sealed class StructPlan
{
    public StructPlan(EdlStruct edl, IReadOnlyList<MemberPlan> members)
    {
        Edl = edl;
        Members = members;
    }

    public EdlStruct Edl { get; }

    public string CsName => Naming.Pascal(Edl.Name);

    public IReadOnlyList<MemberPlan> Members { get; }
}
