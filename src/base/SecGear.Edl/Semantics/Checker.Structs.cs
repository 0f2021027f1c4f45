using System.Collections.Generic;
using SecGear.Edl.Diagnostics;
using SecGear.Edl.Model;
using SecGear.Edl.Syntax;

namespace SecGear.Edl.Semantics;

/// <summary>Struct and union definitions (rules 45-48, deep copy, by-value containment).</summary>
internal sealed partial class Checker
{
    private List<EdlStruct> CheckStructs()
    {
        var result = new List<EdlStruct>();
        foreach (StructSyntax s in _unit.Structs)
        {
            if (!_definedStructs.Contains(s))
            {
                continue;
            }

            var names = new HashSet<string>(System.StringComparer.Ordinal);
            var members = new List<EdlMember>(s.Members.Count);
            foreach (DeclarationSyntax m in s.Members)
            {
                if (!names.Add(m.Name))
                {
                    _diagnostics.Report(EdlDiagnosticDescriptors.DuplicateMember, m.Location, s.Name, m.Name);
                }

                CheckMember(s, m);
                members.Add(new EdlMember(m.Name, m.Type, m.Attributes, ResolveDimensions(m.Name, m.Dimensions), m.Location));
            }

            result.Add(new EdlStruct(s.Name, s.IsUnion, members, s.Location));
        }

        return result;
    }

    private void CheckMember(StructSyntax owner, DeclarationSyntax m)
    {
        EdlType t = m.Type;
        EdlAttributes a = m.Attributes;
        CheckTag(t, m.Location);
        if (t.Base == EdlBaseType.Void && !t.IsPointer)
        {
            _diagnostics.Report(EdlDiagnosticDescriptors.VoidParameter, m.Location, m.Name);
            return;
        }

        bool sized = a.Size != null || a.Count != null;
        if (a.In || a.Out || a.UserCheck || a.String || a.WString || a.IsPtr || a.IsAry || a.ReadOnly)
        {
            _diagnostics.Report(EdlDiagnosticDescriptors.BadMemberAttribute, m.Location, m.Name, "only 'size' and 'count' are allowed on a struct member");
            return;
        }

        NamedKind kind = _types.Classify(t);
        if (sized && (!t.IsPointer || m.IsArray))
        {
            _diagnostics.Report(EdlDiagnosticDescriptors.BadMemberAttribute, m.Location, m.Name, "'size' and 'count' need a pointer member (not an array)");
            return;
        }

        if (!t.IsPointer)
        {
            if (kind == NamedKind.Foreign && !HasForeignSize(t.Name))
            {
                _diagnostics.Report(EdlDiagnosticDescriptors.ForeignWithoutSize, m.Location, m.Name, TypeSpelling.BaseName(t), "by value");
            }

            return;
        }

        if (!sized)
        {
            _diagnostics.Report(EdlDiagnosticDescriptors.ShallowMemberPointer, m.Location, m.Name, owner.Name);
            return;
        }

        if (t.PointerDepth > 1)
        {
            _diagnostics.Report(EdlDiagnosticDescriptors.MultiLevelPointer, m.Location, m.Name);
            CheckSizeReferences(m, owner.Members, owner.Name, isMember: true);
            return;
        }

        if (t.Base == EdlBaseType.Void && a.Size == null)
        {
            _diagnostics.Report(EdlDiagnosticDescriptors.VoidPointerWithoutSize, m.Location, m.Name);
            return;
        }

        CheckSizeReferences(m, owner.Members, owner.Name, isMember: true);
        if (kind == NamedKind.Foreign && a.Size == null && !HasForeignSize(t.Name))
        {
            _diagnostics.Report(EdlDiagnosticDescriptors.ForeignWithoutSize, m.Location, m.Name, TypeSpelling.BaseName(t), "behind a 'count' pointer");
        }

        StructSyntax? pointee = kind == NamedKind.Struct ? _types.FindStruct(t.Name) : null;
        if (pointee != null && IsDeepCopy(pointee))
        {
            _diagnostics.Report(EdlDiagnosticDescriptors.NestedDeepCopy, m.Location, m.Name, owner.Name, pointee.Name);
        }
    }

    /// <summary>
    /// Reports structs that contain themselves by value (directly or through other structs), which have no
    /// finite size. Iterative, so a long chain of structs cannot overflow the stack.
    /// </summary>
    private void CheckStructCycles()
    {
        // 0 = unvisited, 1 = on the current path, 2 = done.
        var state = new Dictionary<StructSyntax, int>();
        foreach (StructSyntax root in _unit.Structs)
        {
            if (!_definedStructs.Contains(root) || state.ContainsKey(root))
            {
                continue;
            }

            var stack = new Stack<(StructSyntax Node, int Next)>();
            stack.Push((root, 0));
            state[root] = 1;
            while (stack.Count > 0)
            {
                (StructSyntax node, int next) = stack.Pop();
                if (next >= node.Members.Count)
                {
                    state[node] = 2;
                    continue;
                }

                stack.Push((node, next + 1));
                DeclarationSyntax m = node.Members[next];
                if (m.Type.IsPointer)
                {
                    continue;
                }

                StructSyntax? child = _types.FindStruct(m.Type.Name);
                if (child == null || m.Type.Base != EdlBaseType.Named)
                {
                    continue;
                }

                state.TryGetValue(child, out int childState);
                if (childState == 1)
                {
                    _diagnostics.Report(EdlDiagnosticDescriptors.RecursiveStruct, m.Location, child.Name);
                }
                else if (childState == 0)
                {
                    state[child] = 1;
                    stack.Push((child, 0));
                }
            }
        }
    }
}
