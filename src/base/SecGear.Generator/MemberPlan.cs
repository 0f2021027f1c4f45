using SecGear.Edl.Model;

namespace SecGear.Generator;

/// <summary>One struct member: its C# field name and type (element type for arrays; raw addresses for pointers).</summary>
internal sealed class MemberPlan
{
    public MemberPlan(EdlMember edl, CsType type)
    {
        Edl = edl;
        Type = type;
    }

    public EdlMember Edl { get; }

    public string CsName => Naming.Pascal(Edl.Name);

    /// <summary>The field's type, or the element type of an array member.</summary>
    public CsType Type { get; }

    /// <summary>Product of the dimensions; 0 when the member is not an array.</summary>
    public long Elements
    {
        get
        {
            if (Edl.Dimensions.Count == 0)
            {
                return 0;
            }

            long n = 1;
            foreach (int d in Edl.Dimensions)
            {
                n *= d;
            }

            return n;
        }
    }

    /// <summary>The inline-array type that stores an array member.</summary>
    public string ArrayType => CsName + "Array";
}
