using System.Collections.Generic;
using SecGear.Edl.Diagnostics;
using SecGear.Edl.Model;
using SecGear.Edl.Syntax;

namespace SecGear.Edl.Semantics;

/// <summary><c>size=</c>/<c>count=</c> values that name a parameter or sibling member (rules 9-12, 46).</summary>
internal sealed partial class Checker
{
    // Keyed by the parameter or member list itself (List<T> compares by reference).
    private readonly Dictionary<IReadOnlyList<DeclarationSyntax>, Dictionary<string, DeclarationSyntax>> _siblingIndex =
        new Dictionary<IReadOnlyList<DeclarationSyntax>, Dictionary<string, DeclarationSyntax>>();

    /// <summary>Checks both size and count of <paramref name="owner"/> against its siblings.</summary>
    private void CheckSizeReferences(DeclarationSyntax owner, IReadOnlyList<DeclarationSyntax> siblings, string scope, bool isMember)
    {
        if (owner.Attributes.Size?.Reference == null && owner.Attributes.Count?.Reference == null)
        {
            return;
        }

        Dictionary<string, DeclarationSyntax> byName = SiblingsByName(siblings);
        CheckSizeReference("size", owner.Attributes.Size, owner, byName, scope, isMember);
        CheckSizeReference("count", owner.Attributes.Count, owner, byName, scope, isMember);
    }

    /// <summary>The first declaration of each name; built once per function or struct so lookups stay linear overall.</summary>
    private Dictionary<string, DeclarationSyntax> SiblingsByName(IReadOnlyList<DeclarationSyntax> siblings)
    {
        if (_siblingIndex.TryGetValue(siblings, out Dictionary<string, DeclarationSyntax>? index))
        {
            return index;
        }

        index = new Dictionary<string, DeclarationSyntax>(System.StringComparer.Ordinal);
        foreach (DeclarationSyntax s in siblings)
        {
            if (!index.ContainsKey(s.Name))
            {
                index.Add(s.Name, s);
            }
        }

        _siblingIndex[siblings] = index;
        return index;
    }

    private void CheckSizeReference(string attribute, EdlSizeExpr? expr, DeclarationSyntax owner, Dictionary<string, DeclarationSyntax> siblings, string scope, bool isMember)
    {
        if (expr?.Reference == null)
        {
            return;
        }

        string what = isMember ? "member" : "parameter";
        siblings.TryGetValue(expr.Reference, out DeclarationSyntax? target);

        if (target == null)
        {
            if (isMember)
            {
                _diagnostics.Report(EdlDiagnosticDescriptors.MemberSizeUnknown, owner.Location, attribute, owner.Name, expr.Reference, scope);
            }
            else
            {
                _diagnostics.Report(EdlDiagnosticDescriptors.SizeNamesMissing, owner.Location, attribute, owner.Name, expr.Reference, what, scope);
            }

            return;
        }

        string? nonScalar = null;
        if (ReferenceEquals(target, owner))
        {
            nonScalar = "the " + what + " itself";
        }
        else if (target.Type.IsPointer || target.IsArray)
        {
            nonScalar = "a pointer or array";
        }
        else if (target.Type.Base == EdlBaseType.Void)
        {
            nonScalar = "void";
        }
        else
        {
            NamedKind kind = _types.Classify(target.Type);
            if (kind == NamedKind.Struct || kind == NamedKind.Union)
            {
                nonScalar = "a struct or union";
            }
            else if (kind == NamedKind.Enum || kind == NamedKind.Foreign)
            {
                _diagnostics.Report(EdlDiagnosticDescriptors.SizeNamesNonInteger, owner.Location, attribute, owner.Name, target.Name, TypeSpelling.Of(target.Type));
                return;
            }
        }

        if (nonScalar != null)
        {
            _diagnostics.Report(EdlDiagnosticDescriptors.SizeNamesNonScalar, owner.Location, attribute, owner.Name, target.Name, nonScalar, what);
            return;
        }

        switch (target.Type.Base)
        {
            case EdlBaseType.Float:
            case EdlBaseType.Double:
            case EdlBaseType.LongDouble:
                _diagnostics.Report(EdlDiagnosticDescriptors.SizeNamesFloat, owner.Location, attribute, owner.Name, target.Name, TypeSpelling.Of(target.Type));
                return;
            case EdlBaseType.Bool:
                _diagnostics.Report(EdlDiagnosticDescriptors.SizeNamesNonInteger, owner.Location, attribute, owner.Name, target.Name, TypeSpelling.Of(target.Type));
                return;
            case EdlBaseType.Char:
            case EdlBaseType.Short:
            case EdlBaseType.Int:
            case EdlBaseType.Long:
            case EdlBaseType.LongLong:
            case EdlBaseType.Int8:
            case EdlBaseType.Int16:
            case EdlBaseType.Int32:
            case EdlBaseType.Int64:
            case EdlBaseType.IntPtr:
            case EdlBaseType.SSizeT:
            case EdlBaseType.WCharT:
                _diagnostics.Report(EdlDiagnosticDescriptors.SizeNamesSigned, owner.Location, attribute, owner.Name, target.Name, TypeSpelling.Of(target.Type));
                return;
            default:
                return;
        }
    }
}
