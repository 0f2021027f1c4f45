using System.Collections.Generic;
using System.Globalization;
using System.Text;
using SecGear.Edl.Model;

namespace SecGear.Generator;

/// <summary>
/// Writes <c>{Prefix}.Contract.g.cs</c>, the file both sides share: the contract's name, hash, function ids, its
/// run-time descriptor and the anonymous enumerators.
/// </summary>
internal static class ContractEmitter
{
    public static string Emit(ContractPlan plan)
    {
        byte[] hash = ContractHash.Compute(plan.Contract);
        return Code.Tidy($$"""
            {{Code.Header}}
            namespace {{plan.Namespace}};

            /// <summary>Contract {{Code.C(plan.Name)}}: name, hash, function ids and the run-time descriptor.</summary>
            public static class {{plan.ContractClass}}
            {
                /// <summary>The contract name (the EDL file name without extension).</summary>
                public const string Name = {{Naming.Literal(plan.Name)}};

                /// <summary>SHA-256 of the contract's canonical form, as lower-case hex.</summary>
                public const string HashHex = "{{Hex(hash)}}";

                /// <summary>SHA-256 of the contract's canonical form; host and enclave refuse to talk when theirs differ.</summary>
                public static global::System.ReadOnlySpan<byte> Hash => new byte[] { {{Bytes(hash)}} };

                /// <summary>The run-time description of the contract (ids, public ECALLs, switchless, errno, allow lists).</summary>
                public static {{Code.Abi}}ContractDescriptor Descriptor { get; } = new {{Code.Abi}}ContractDescriptor(
                    Name,
                    Hash.ToArray(),
                    new {{Code.Abi}}FunctionDescriptor[]
                    {
                        {{Code.Block(Descriptors(plan, plan.Ecalls), 12)}}
                    },
                    new {{Code.Abi}}FunctionDescriptor[]
                    {
                        {{Code.Block(Descriptors(plan, plan.Ocalls), 12)}}
                    });

                /// <summary>ECALL ids (0-based, EDL merge order).</summary>
                public static class EcallIds
                {
                    {{Code.Block(Ids(plan.Ecalls), 8)}}
                }

                /// <summary>OCALL ids (0-based, EDL merge order).</summary>
                public static class OcallIds
                {
                    {{Code.Block(Ids(plan.Ocalls), 8)}}
                }
                {{Code.Block(AnonymousEnumerators(plan.Contract), 4)}}
            }
            """);
    }

    private static IEnumerable<string> Descriptors(ContractPlan plan, IReadOnlyList<FunctionPlan> functions)
    {
        foreach (FunctionPlan f in functions)
        {
            // Private ECALLs are not public; OCALLs always are.
            bool isPublic = !f.Edl.IsTrusted || f.Edl.IsPublic;
            yield return "new " + Code.Abi + "FunctionDescriptor(" + Code.Int(f.Edl.Id) + ", " + Naming.Literal(f.Name) +
                ", IsPublic: " + Code.Bool(isPublic) + ", Switchless: " + Code.Bool(f.Edl.Switchless) +
                ", PropagateErrno: " + Code.Bool(f.PropagatesErrno) + ", Allow: " + AllowList(plan.Contract, f.Edl) + "),";
        }
    }

    private static IEnumerable<string> Ids(IReadOnlyList<FunctionPlan> functions)
    {
        foreach (FunctionPlan f in functions)
        {
            yield return "/// <summary>Id of " + f.Kind + " " + Code.C(f.Name) + ".</summary>\npublic const int " + f.CsName + " = " + Code.Int(f.Edl.Id) + ";";
        }
    }

    private static IEnumerable<string> AnonymousEnumerators(EdlContract contract)
    {
        foreach (EdlEnum e in contract.Enums)
        {
            if (e.Name != null)
            {
                continue;
            }

            foreach (EdlEnumerator m in e.Members)
            {
                yield return string.Empty;
                yield return m.ForeignValue != null
                    ? TypeEmitter.ForeignValueComment(m)
                    : "/// <summary>Anonymous EDL enumerator " + Code.C(m.Name) + ".</summary>\npublic const int " + Naming.Escape(m.Name) + " = " + Code.Int(m.Value) + ";";
            }
        }
    }

    private static string AllowList(EdlContract contract, EdlFunction f)
    {
        if (f.Allow.Count == 0)
        {
            return "global::System.Array.Empty<int>()";
        }

        var ids = new List<string>();
        foreach (string name in f.Allow)
        {
            foreach (EdlFunction e in contract.Trusted)
            {
                if (e.Name == name)
                {
                    ids.Add(Code.Int(e.Id));
                }
            }
        }

        return "new int[] { " + string.Join(", ", ids) + " }";
    }

    private static string Hex(byte[] bytes)
    {
        var sb = new StringBuilder(bytes.Length * 2);
        foreach (byte b in bytes)
        {
            sb.Append(b.ToString("x2", CultureInfo.InvariantCulture));
        }

        return sb.ToString();
    }

    private static string Bytes(byte[] bytes)
    {
        var parts = new string[bytes.Length];
        for (int i = 0; i < bytes.Length; i++)
        {
            parts[i] = "0x" + bytes[i].ToString("x2", CultureInfo.InvariantCulture);
        }

        return string.Join(", ", parts);
    }
}
