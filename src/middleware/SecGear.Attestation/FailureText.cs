using System.Text.RegularExpressions;

namespace SecGear.Attestation;

/// <summary>
/// Turns .NET exception messages into failure text a user can act on: no "see the inner exception" (the inner
/// message is given instead) and no "(Parameter 'name')" suffixes that name our code's parameters, not the evidence.
/// </summary>
internal static partial class FailureText
{
    /// <summary>The message of <paramref name="exception"/> with its inner exceptions' messages in place of the pointer to them.</summary>
    public static string Of(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        string text = Clean(exception.Message);
        for (var inner = exception.InnerException; inner is not null; inner = inner.InnerException)
        {
            string innerText = Clean(inner.Message);
            if (innerText.Length > 0 && !text.Contains(innerText, StringComparison.Ordinal))
            {
                text = text.Length == 0 ? innerText : $"{text.TrimEnd('.')}: {innerText}";
            }
        }

        return text.Length == 0 ? exception.GetType().Name : text;
    }

    /// <summary>Removes the pointers to inner exceptions and the parameter-name suffixes from a message.</summary>
    public static string Clean(string message)
    {
        if (string.IsNullOrEmpty(message))
        {
            return message ?? string.Empty;
        }

        string text = InnerExceptionPointer().Replace(message, string.Empty);
        text = ParameterSuffix().Replace(text, string.Empty);
        return text.Trim();
    }

    [GeneratedRegex(@"[\s,;]*\(?see (the )?inner exception( for (more )?details)?\)?\.?", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex InnerExceptionPointer();

    [GeneratedRegex(@"\s*\(Parameter '[^']*'\)", RegexOptions.CultureInvariant)]
    private static partial Regex ParameterSuffix();
}
