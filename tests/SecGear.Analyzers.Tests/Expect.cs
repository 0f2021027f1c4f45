using Microsoft.CodeAnalysis;

namespace SecGear.Analyzers.Tests;

/// <summary>Assertions on the diagnostics of one compilation.</summary>
internal static class Expect
{
    /// <summary>Asserts exactly one diagnostic, with id <paramref name="id"/> and a message containing <paramref name="text"/>.</summary>
    public static Diagnostic Diagnostic(Diagnostic[] diagnostics, string id, string text)
    {
        Diagnostic d = Assert.Single(diagnostics);
        Assert.Equal(id, d.Id);
        Assert.Contains(text, d.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        return d;
    }
}
