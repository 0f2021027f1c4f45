using System.Collections.Generic;
using System.Text;
using SecGear.Edl.Model;

namespace SecGear.Generator;

/// <summary>
/// Writes one file per EDL enum, struct, union and sized foreign type. A type's file depends only on its definition
/// and namespace, so two contracts that import the same EDL types produce identical files, which the source generator
/// emits once.
/// </summary>
internal static class TypeEmitter
{
    public static void Emit(ContractPlan plan, List<GeneratedSourceFile> files)
    {
        foreach (EdlEnum e in plan.Contract.Enums)
        {
            if (e.Name is string name)
            {
                files.Add(File(plan, Naming.Pascal(name), Enum(name, e)));
            }
        }

        foreach (StructPlan s in plan.Structs)
        {
            files.Add(File(plan, s.CsName, Struct(s)));
        }

        foreach (KeyValuePair<string, int> foreign in plan.ForeignTypes)
        {
            files.Add(File(plan, Naming.Pascal(foreign.Key), Foreign(foreign.Key, foreign.Value)));
        }
    }

    /// <summary>
    /// An enumerator whose value is a C constant EDL cannot see has no C# member (a wrong value would be worse than
    /// none); values still cross the boundary as plain ints (SG0346, docs/edl.md).
    /// </summary>
    public static string ForeignValueComment(EdlEnumerator m) =>
        "// " + m.Name + " = " + m.ForeignValue + ": a C constant EDL does not define; give its value with --foreign-const or ForeignConstants to get a member.";

    private static GeneratedSourceFile File(ContractPlan plan, string typeName, string body) =>
        new GeneratedSourceFile(typeName + ".EdlType.g.cs", Code.Tidy($$"""
            {{Code.Header}}
            namespace {{plan.Namespace}};

            {{body}}
            """));

    private static string Enum(string name, EdlEnum e)
    {
        var members = new List<string>();
        foreach (EdlEnumerator m in e.Members)
        {
            members.Add(m.ForeignValue != null
                ? ForeignValueComment(m)
                : "/// <summary>" + Code.C(m.Name) + ".</summary>\n" + Naming.Escape(m.Name) + " = " + Code.Int(m.Value) + ",");
        }

        return $$"""
            /// <summary>EDL <c>enum {{Naming.Xml(name)}}</c> (a C int).</summary>
            public enum {{Naming.Pascal(name)}}
            {
                {{Code.Block(members, 4)}}
            }
            """;
    }

    private static string Struct(StructPlan s)
    {
        bool union = s.Edl.IsUnion;
        var fields = new List<string>();
        var arrays = new List<string>();
        foreach (MemberPlan m in s.Members)
        {
            string note = string.Empty;
            if (m.Elements == 0)
            {
                note = m.Edl.Type.IsPointer ? " A raw address: pointers inside structs are not copied." : string.Empty;
            }
            else
            {
                var dims = new StringBuilder();
                foreach (int d in m.Edl.Dimensions)
                {
                    dims.Append('[').Append(Code.Int(d)).Append(']');
                }

                note = (m.Edl.Type.IsPointer ? " Raw addresses: pointers inside structs are not copied." : string.Empty) +
                       " Declared as <c>" + dims + "</c>, flattened to " + Code.Int(m.Elements) + " elements.";
                arrays.Add($$"""

                    /// <summary>Fixed-size array storage (index it like an array, or use it as a span).</summary>
                    [global::System.Runtime.CompilerServices.InlineArray({{Code.Int(m.Elements)}})]
                    public struct {{m.ArrayType}}
                    {
                        private {{m.Type.Name}} _element0;
                    }
                    """);
            }

            string offset = union ? "\n[global::System.Runtime.InteropServices.FieldOffset(0)]" : string.Empty;
            string type = m.Elements == 0 ? m.Type.Name : m.ArrayType;
            fields.Add((fields.Count > 0 ? "\n" : string.Empty) +
                       "/// <summary>EDL member " + Code.C(m.Edl.Name) + "." + note + "</summary>" + offset + "\npublic " + type + " " + m.CsName + ";");
        }

        return $$"""
            /// <summary>EDL <c>{{(union ? "union " : "struct ") + Naming.Xml(s.Edl.Name)}}</c>, laid out as C lays it out.{{(union ? " Every member starts at offset 0." : string.Empty)}}</summary>
            [global::System.Runtime.InteropServices.StructLayout(global::System.Runtime.InteropServices.LayoutKind.{{(union ? "Explicit" : "Sequential")}})]
            public struct {{s.CsName}}
            {
                {{Code.Block(fields, 4)}}
                {{Code.Block(arrays, 4)}}
            }
            """;
    }

    private static string Foreign(string name, int size) => $$"""
        /// <summary>Foreign type {{Code.C(name)}}: {{Code.Int(size)}} opaque bytes (its layout comes from a C header, not from EDL).</summary>
        [global::System.Runtime.CompilerServices.InlineArray({{Code.Int(size)}})]
        public struct {{Naming.Pascal(name)}}
        {
            private byte _element0;
        }
        """;
}
