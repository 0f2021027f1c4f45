using System.Globalization;
using SecGear.AttestationService.Storage;

namespace SecGear.AttestationService.Hosting;

/// <summary>Checks of request fields shared by the routes; failures are <see cref="ServiceProblemException"/>s naming the field.</summary>
internal static class Validation
{
    /// <summary>Measurement and signer ids are 32 (SGX, simulation) or 48 bytes (TDX, SEV-SNP, CCA with SHA-384).</summary>
    private static readonly int[] IdLengths = [32, 48];

    /// <summary>An id of a policy or reference-value set: one resource-path segment (1-64 of [A-Za-z0-9._-]).</summary>
    public static string Id(string? id, string what)
    {
        return ResourcePath.IsValidSegment(id)
            ? id
            : throw ServiceProblemException.Malformed($"The {what} id must be 1-{ResourcePath.MaxSegmentLength} characters of [A-Za-z0-9._-] and not '.' or '..'.");
    }

    /// <summary>Lower-case hex ids of 32 or 48 bytes; anything else is <see cref="ServiceErrorCodes.PolicyInvalid"/>.</summary>
    public static string[] HexIds(IReadOnlyList<string>? ids, string field)
    {
        if (ids is null)
        {
            return [];
        }

        if (ids.Count > 1024)
        {
            throw PolicyInvalid($"'{field}' holds {ids.Count} ids; at most 1024 are accepted.");
        }

        var normalised = new string[ids.Count];
        for (int i = 0; i < ids.Count; i++)
        {
            string? id = ids[i];
            if (id is null || id.Length % 2 != 0 || !id.All(char.IsAsciiHexDigit) || !IdLengths.Contains(id.Length / 2))
            {
                throw PolicyInvalid($"'{field}[{i}]' must be the hex of a 32- or 48-byte id.");
            }

            normalised[i] = id.ToLowerInvariant();
        }

        return normalised;
    }

    /// <summary>400 PolicyInvalid.</summary>
    public static ServiceProblemException PolicyInvalid(string message) =>
        new(StatusCodes.Status400BadRequest, ServiceErrorCodes.PolicyInvalid, message);

    /// <summary>The write condition of <c>If-Match: "N"</c> / <c>If-None-Match: *</c>.</summary>
    public static WriteCondition Condition(HttpRequest request)
    {
        string? ifNoneMatch = request.Headers.IfNoneMatch;
        string? ifMatch = request.Headers.IfMatch;
        if (!string.IsNullOrEmpty(ifNoneMatch))
        {
            return ifNoneMatch.Trim() == "*"
                ? WriteCondition.IfAbsent
                : throw ServiceProblemException.Malformed("If-None-Match accepts only '*' (create only).");
        }

        return string.IsNullOrEmpty(ifMatch) ? WriteCondition.Always : WriteCondition.IfVersion(Version(ifMatch));
    }

    /// <summary>The version of an <c>If-Match</c> on a delete, or null.</summary>
    public static long? ExpectedVersion(HttpRequest request)
    {
        string? ifMatch = request.Headers.IfMatch;
        return string.IsNullOrEmpty(ifMatch) ? null : Version(ifMatch);
    }

    /// <summary>The ETag of a version: the decimal version in quotes.</summary>
    public static string ETag(long version) => $"\"{version.ToString(CultureInfo.InvariantCulture)}\"";

    private static long Version(string ifMatch)
    {
        var text = ifMatch.Trim().Trim('"');
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long version) && version > 0
            ? version
            : throw ServiceProblemException.Malformed("If-Match must be one version, as the ETag gives it (e.g. \"3\").");
    }
}
