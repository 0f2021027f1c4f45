using System.Security.Cryptography;
using System.Text.Json;

namespace SecGear.Attestation;

/// <summary>
/// What a relying party accepts, applied to already-verified claims: reference values (unique ids, signer ids,
/// product ids, minimum security version), accepted TCB statuses, debug, simulation and the expected report data.
/// Empty lists mean "any". Build it in code or load it from JSON (<see cref="FromJson(string)"/>; schema in
/// docs/attestation.md).
/// </summary>
public sealed record AttestationPolicy
{
    /// <summary>
    /// The statuses accepted when none are configured: up to date, and up to date with SW hardening / configuration
    /// notes; and "not applicable" for TEEs whose vendor publishes no TCB status (SEV-SNP, Nitro, CCA).
    /// </summary>
    public static IReadOnlyList<TcbStatus> DefaultAcceptedTcbStatuses { get; } =
        [TcbStatus.UpToDate, TcbStatus.SWHardeningNeeded, TcbStatus.ConfigurationNeeded, TcbStatus.ConfigurationAndSWHardeningNeeded, TcbStatus.NotApplicable];

    /// <summary>Accepted unique ids (MRENCLAVE / MRTD); empty = any.</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> AllowedUniqueIds { get; init; } = [];

    /// <summary>Accepted signer ids (MRSIGNER); empty = any.</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> AllowedSignerIds { get; init; } = [];

    /// <summary>Accepted product ids; empty = any.</summary>
    public IReadOnlyList<int> AllowedProductIds { get; init; } = [];

    /// <summary>Minimum security version (ISVSVN); null = any.</summary>
    public int? MinimumSecurityVersion { get; init; }

    /// <summary>Accepted TCB statuses.</summary>
    public IReadOnlyList<TcbStatus> AcceptedTcbStatuses { get; init; } = DefaultAcceptedTcbStatuses;

    /// <summary>
    /// TCB baseline date (Open Enclave's policy of the same name): an <c>OutOfDate</c> or
    /// <c>OutOfDateConfigurationNeeded</c> platform whose matched TCB level is dated on or after this date is accepted as
    /// if its status were accepted. Null (default) = no baseline.
    /// </summary>
    public DateTimeOffset? TcbBaselineDate { get; init; }

    /// <summary>Whether debug enclaves / TDs are accepted (default false).</summary>
    public bool AllowDebug { get; init; }

    /// <summary>Whether simulated evidence is accepted (default false).</summary>
    public bool AllowSimulation { get; init; }

    /// <summary>
    /// Accept evidence from an enclave that ran in its host's own process (the in-process engine; claim
    /// <see cref="IsolationField"/> = <see cref="NoIsolation"/>). Off by default: such an enclave is not isolated at all.
    /// </summary>
    public bool AllowInProcess { get; init; }

    /// <summary>The claim field that says how the enclave was isolated from its host.</summary>
    public const string IsolationField = "isolation";

    /// <summary>The <see cref="IsolationField"/> value of evidence from the in-process engine.</summary>
    public const string NoIsolation = "none (in-process engine)";

    /// <summary>Accepted TEE kinds; empty = any.</summary>
    public IReadOnlyList<TeeKind> AllowedTees { get; init; } = [];

    /// <summary>
    /// Expected report data: when set, the evidence's report data must start with these bytes and the rest must be
    /// zero (a 32-byte hash of a nonce or key in the first half is the usual binding). Compared in constant time.
    /// </summary>
    /// <remarks>
    /// This is report data that <b>enclave code</b> bound (e.g. the hash of a key it holds and a verifier's nonce).
    /// Evidence the host requested (<c>Enclave.GetEvidence</c>, <c>secgear attest</c>) never matches it: its report data
    /// is <see cref="SecGear.Identity.HostReportData"/> of the host's bytes; check that with
    /// <see cref="ExpectedHostReportData"/>.
    /// </remarks>
    public ReadOnlyMemory<byte>? ExpectedReportData { get; init; }

    /// <summary>
    /// Expected host-requested report data: when set, the evidence must have been requested by the enclave's host with
    /// these bytes (at most 64; <c>Enclave.GetEvidence</c>, <c>secgear attest --report-data</c>), i.e. its report data is
    /// <see cref="SecGear.Identity.HostReportData.Derive"/> of them. Proves freshness (a nonce you gave the host) and the
    /// enclave's identity, but nothing the enclave itself vouches for: never release a secret to a key on this basis.
    /// Cannot be combined with <see cref="ExpectedReportData"/>.
    /// </summary>
    public ReadOnlyMemory<byte>? ExpectedHostReportData { get; init; }

    /// <summary>
    /// Devices (NVIDIA GPUs): whether their measurements must have been appraised against reference manifests (the
    /// claim <c>measurements_appraised</c> is <c>true</c>: both RIMs supplied, verified and matching). Default false:
    /// authentic evidence whose measurements were not appraised is accepted, and its claims say so.
    /// </summary>
    public bool RequireDeviceReferenceValues { get; init; }

    /// <summary>
    /// Devices (NVIDIA GPUs): whether OCSP must have said "good" for every non-root certificate of the device chain
    /// (the claim <c>revocation_checked</c> is <c>true</c>). Default false: revocation is reported, not required.
    /// </summary>
    public bool RequireDeviceRevocationChecked { get; init; }

    /// <summary>
    /// Accepted VM launch measurements (claim field <see cref="VmMeasurementField"/>: TDX MRTD, SEV-SNP MEASUREMENT, CCA
    /// RIM) of evidence from the confidential-VM engine; empty = any. Evidence without that claim fails when set.
    /// </summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> AllowedVmMeasurements { get; init; } = [];

    /// <summary>
    /// Claim fields that must be present with one of the listed values (compared ignoring case, so hex may be either),
    /// e.g. <c>vm_rtmr0</c> or <c>vm_host_data</c>; empty = no constraint.
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> AllowedFieldValues { get; init; } = new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>The claim field that holds a confidential VM's launch measurement (hex).</summary>
    public const string VmMeasurementField = "vm_measurement";

    /// <summary>Returns the first failed policy check, or null when the claims satisfy the policy.</summary>
    public AttestationFailure? Evaluate(AttestationClaims claims)
    {
        ArgumentNullException.ThrowIfNull(claims);
        if (AllowedTees.Count > 0 && !AllowedTees.Contains(claims.Tee))
        {
            return new(AttestationFailureCode.PolicyTeeNotAllowed, $"TEE is {claims.Tee}; the policy accepts {string.Join(", ", AllowedTees)}");
        }

        if (claims.Simulated && !AllowSimulation)
        {
            return new(AttestationFailureCode.PolicySimulationNotAllowed, "the evidence is simulated and the policy does not allow simulation");
        }

        if (claims.Fields.TryGetValue(IsolationField, out var isolation) && isolation == NoIsolation && !AllowInProcess)
        {
            return new(AttestationFailureCode.PolicyInProcessNotAllowed, "the enclave ran in its host's process (in-process engine, no isolation) and the policy does not allow that (allowInProcess)");
        }

        if (AllowedUniqueIds.Count > 0 && !AllowedUniqueIds.Any(id => id.Span.SequenceEqual(claims.UniqueId.Span)))
        {
            return new(AttestationFailureCode.PolicyUniqueIdNotAllowed, $"unique id {Convert.ToHexStringLower(claims.UniqueId.Span)} is not among the {AllowedUniqueIds.Count} allowed");
        }

        if (AllowedSignerIds.Count > 0 && !AllowedSignerIds.Any(id => id.Span.SequenceEqual(claims.SignerId.Span)))
        {
            return new(AttestationFailureCode.PolicySignerIdNotAllowed, $"signer id {Convert.ToHexStringLower(claims.SignerId.Span)} is not among the {AllowedSignerIds.Count} allowed");
        }

        if (AllowedProductIds.Count > 0 && (claims.ProductId is null || !AllowedProductIds.Contains(claims.ProductId.Value)))
        {
            return new(AttestationFailureCode.PolicyProductIdNotAllowed, $"product id {claims.ProductId?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "(none)"} is not among {string.Join(", ", AllowedProductIds)}");
        }

        if (AllowedVmMeasurements.Count > 0)
        {
            string? vm = claims.Fields.GetValueOrDefault(VmMeasurementField);
            if (vm is null || !AllowedVmMeasurements.Any(m => string.Equals(Convert.ToHexStringLower(m.Span), vm, StringComparison.OrdinalIgnoreCase)))
            {
                return new(AttestationFailureCode.PolicyVmMeasurementNotAllowed, $"VM launch measurement {vm ?? "(none: not confidential-VM evidence)"} is not among the {AllowedVmMeasurements.Count} allowed");
            }
        }

        foreach (var (name, allowed) in AllowedFieldValues)
        {
            string? value = claims.Fields.GetValueOrDefault(name);
            if (value is null || !allowed.Contains(value, StringComparer.OrdinalIgnoreCase))
            {
                return new(AttestationFailureCode.PolicyFieldNotAllowed, $"claim '{name}' is {value ?? "absent"}; the policy accepts {string.Join(", ", allowed)}");
            }
        }

        if (MinimumSecurityVersion is { } minimum && (claims.SecurityVersion is null || claims.SecurityVersion < minimum))
        {
            return new(AttestationFailureCode.PolicySecurityVersionTooLow, $"security version is {claims.SecurityVersion?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "(none)"}, the minimum is {minimum}");
        }

        if (!AcceptedTcbStatuses.Contains(claims.TcbStatus) && !MeetsBaseline(claims))
        {
            return new(AttestationFailureCode.PolicyTcbStatusNotAccepted, $"TCB status is {claims.TcbStatus} (TCB date {claims.TcbDate?.ToString("u", System.Globalization.CultureInfo.InvariantCulture) ?? "none"}); the policy accepts {string.Join(", ", AcceptedTcbStatuses)}"
                + (TcbBaselineDate is { } baseline ? $", or out of date with a TCB date on or after {baseline.ToString("u", System.Globalization.CultureInfo.InvariantCulture)}" : string.Empty));
        }

        if (claims.Debug && !AllowDebug)
        {
            return new(AttestationFailureCode.PolicyDebugNotAllowed, "the enclave/TD runs in debug mode and the policy does not allow debug");
        }

        if (claims.Tee == TeeKind.NvidiaGpu && DeviceFailure(claims) is { } deviceFailure)
        {
            return deviceFailure;
        }

        if (ExpectedReportData is { } expected && ExpectedHostReportData is not null)
        {
            return new(AttestationFailureCode.PolicyMalformed, "the policy sets both expectedReportData and expectedHostReportData; evidence binds one or the other");
        }

        if (ExpectedReportData is { } enclaveBound && !ReportDataMatches(claims.ReportData.Span, enclaveBound.Span))
        {
            return new(AttestationFailureCode.PolicyReportDataMismatch, IsHostRequested(claims.ReportData.Span, enclaveBound.Span)
                ? $"report data does not match the expected {enclaveBound.Length} bytes: the evidence binds them as host-requested report data (the host chose them through Enclave.GetEvidence or secgear attest), not as data the enclave bound itself; check such evidence with expectedHostReportData, and never release a secret to a key on its basis"
                : $"report data does not match the expected {enclaveBound.Length} bytes (followed by zeros)");
        }

        if (ExpectedHostReportData is { } hostRequested && !IsHostRequested(claims.ReportData.Span, hostRequested.Span))
        {
            return new(AttestationFailureCode.PolicyReportDataMismatch, hostRequested.Length > SecGear.Identity.EvidenceLimits.MaxReportDataLength
                ? $"expected host-requested report data is {hostRequested.Length} bytes; at most {SecGear.Identity.EvidenceLimits.MaxReportDataLength} can be requested"
                : $"report data is not the host-requested binding of the expected {hostRequested.Length} bytes (a different nonce, or evidence the enclave made itself)");
        }

        return null;
    }

    /// <summary>Loads a policy from JSON text. Throws <see cref="AttestationException"/> when the JSON is invalid.</summary>
    public static AttestationPolicy FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 8, CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            return FromJson(document.RootElement);
        }
        catch (JsonException ex)
        {
            throw new AttestationException(AttestationFailureCode.PolicyMalformed, $"policy is not valid JSON: {FailureText.Of(ex)}");
        }
    }

    private static AttestationPolicy FromJson(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw Invalid("the policy must be a JSON object");
        }

        var known = new HashSet<string>(StringComparer.Ordinal)
        {
            "allowedUniqueIds", "allowedSignerIds", "allowedProductIds", "minimumSecurityVersion", "acceptedTcbStatuses",
            "allowDebug", "allowSimulation", "allowInProcess", "allowedTees", "expectedReportData", "expectedHostReportData", "tcbBaselineDate",
            "requireDeviceReferenceValues", "requireDeviceRevocationChecked", "allowedVmMeasurements", "fields",
        };
        foreach (var property in root.EnumerateObject())
        {
            if (!known.Contains(property.Name))
            {
                throw Invalid($"unknown policy property '{property.Name}'; known: {string.Join(", ", known)}");
            }
        }

        var policy = new AttestationPolicy
        {
            AllowedUniqueIds = Strings(root, "allowedUniqueIds").Select(s => (ReadOnlyMemory<byte>)HexValue(s, "allowedUniqueIds")).ToArray(),
            AllowedVmMeasurements = Strings(root, "allowedVmMeasurements").Select(s => (ReadOnlyMemory<byte>)HexValue(s, "allowedVmMeasurements")).ToArray(),
            AllowedFieldValues = FieldValues(root),
            AllowedSignerIds = Strings(root, "allowedSignerIds").Select(s => (ReadOnlyMemory<byte>)HexValue(s, "allowedSignerIds")).ToArray(),
            AllowedProductIds = root.TryGetProperty("allowedProductIds", out var products)
                ? (products.ValueKind == JsonValueKind.Array ? products.EnumerateArray().Select(p => p.TryGetInt32(out int v) ? v : throw Invalid("'allowedProductIds' holds a non-integer")).ToArray() : throw Invalid("'allowedProductIds' must be an array"))
                : [],
            MinimumSecurityVersion = root.TryGetProperty("minimumSecurityVersion", out var svn)
                ? (svn.ValueKind == JsonValueKind.Number && svn.TryGetInt32(out int min) ? min : throw Invalid("'minimumSecurityVersion' must be an integer"))
                : null,
            AcceptedTcbStatuses = root.TryGetProperty("acceptedTcbStatuses", out _)
                ? Strings(root, "acceptedTcbStatuses").Select(s => TcbStatusNames.TryParse(s, out var status) ? status : throw Invalid($"'{s}' is not a TCB status")).ToArray()
                : DefaultAcceptedTcbStatuses,
            TcbBaselineDate = root.TryGetProperty("tcbBaselineDate", out var baselineDate)
                ? (baselineDate.ValueKind == JsonValueKind.String && DateTimeOffset.TryParse(baselineDate.GetString(), System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var parsedBaseline)
                    ? parsedBaseline
                    : throw Invalid("'tcbBaselineDate' must be an ISO 8601 date string"))
                : null,
            AllowDebug = Bool(root, "allowDebug"),
            AllowSimulation = Bool(root, "allowSimulation"),
            RequireDeviceReferenceValues = Bool(root, "requireDeviceReferenceValues"),
            RequireDeviceRevocationChecked = Bool(root, "requireDeviceRevocationChecked"),
            AllowInProcess = Bool(root, "allowInProcess"),
            AllowedTees = Strings(root, "allowedTees").Select(s => Enum.TryParse<TeeKind>(s, ignoreCase: true, out var tee) ? tee : throw Invalid($"'{s}' is not a TEE kind")).ToArray(),
            ExpectedReportData = root.TryGetProperty("expectedReportData", out var reportData)
                ? (ReadOnlyMemory<byte>?)HexValue(reportData.ValueKind == JsonValueKind.String ? reportData.GetString()! : throw Invalid("'expectedReportData' must be a hex string"), "expectedReportData")
                : null,
            ExpectedHostReportData = root.TryGetProperty("expectedHostReportData", out var hostReportData)
                ? (ReadOnlyMemory<byte>?)HexValue(hostReportData.ValueKind == JsonValueKind.String ? hostReportData.GetString()! : throw Invalid("'expectedHostReportData' must be a hex string"), "expectedHostReportData")
                : null,
        };
        if (policy.ExpectedReportData is not null && policy.ExpectedHostReportData is not null)
        {
            throw Invalid("set 'expectedReportData' (bound by enclave code) or 'expectedHostReportData' (requested by the host), not both");
        }

        if (policy.ExpectedHostReportData is { Length: > SecGear.Identity.EvidenceLimits.MaxReportDataLength } tooLong)
        {
            throw Invalid($"'expectedHostReportData' is {tooLong.Length} bytes; a host requests at most {SecGear.Identity.EvidenceLimits.MaxReportDataLength}");
        }

        return policy;
    }

    private static Dictionary<string, IReadOnlyList<string>> FieldValues(JsonElement root)
    {
        var fields = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        if (!root.TryGetProperty("fields", out var value))
        {
            return fields;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            throw Invalid("'fields' must be an object of claim name -> array of accepted values");
        }

        foreach (var field in value.EnumerateObject())
        {
            fields[field.Name] = Strings(value, field.Name);
        }

        return fields;
    }

    private AttestationFailure? DeviceFailure(AttestationClaims claims)
    {
        if (RequireDeviceReferenceValues && claims.Fields.GetValueOrDefault("measurements_appraised") != "true")
        {
            return new(AttestationFailureCode.PolicyReferenceValuesNotAppraised, $"the device's measurements were not appraised ({claims.Fields.GetValueOrDefault("reference_values") ?? "no appraisal"}); the policy requires both RIMs to match");
        }

        if (RequireDeviceRevocationChecked && claims.Fields.GetValueOrDefault("revocation_checked") != "true")
        {
            return new(AttestationFailureCode.PolicyRevocationNotChecked, $"the device chain's revocation is {claims.Fields.GetValueOrDefault("revocation") ?? "not checked"}; the policy requires OCSP for every certificate");
        }

        return null;
    }

    private bool MeetsBaseline(AttestationClaims claims) =>
        TcbBaselineDate is { } baseline
        && claims.TcbStatus is TcbStatus.OutOfDate or TcbStatus.OutOfDateConfigurationNeeded
        && claims.TcbDate is { } date
        && date >= baseline;

    private static bool IsHostRequested(ReadOnlySpan<byte> actual, ReadOnlySpan<byte> hostData) =>
        hostData.Length <= SecGear.Identity.EvidenceLimits.MaxReportDataLength
        && ReportDataMatches(actual, SecGear.Identity.HostReportData.Derive(hostData));

    private static bool ReportDataMatches(ReadOnlySpan<byte> actual, ReadOnlySpan<byte> expected)
    {
        if (expected.Length > actual.Length)
        {
            return false;
        }

        bool prefix = CryptographicOperations.FixedTimeEquals(actual[..expected.Length], expected);
        return prefix & !actual[expected.Length..].ContainsAnyExcept((byte)0);
    }

    private static string[] Strings(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var value))
        {
            return [];
        }

        return value.ValueKind == JsonValueKind.Array
            ? value.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : throw Invalid($"'{name}' holds a non-string")).ToArray()
            : throw Invalid($"'{name}' must be an array of strings");
    }

    private static bool Bool(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value)
            ? value.ValueKind switch { JsonValueKind.True => true, JsonValueKind.False => false, _ => throw Invalid($"'{name}' must be true or false") }
            : false;

    private static byte[] HexValue(string text, string name)
    {
        try
        {
            return Convert.FromHexString(text);
        }
        catch (FormatException)
        {
            throw Invalid($"'{name}' holds '{text}', which is not hex");
        }
    }

    private static AttestationException Invalid(string message) => new(AttestationFailureCode.PolicyMalformed, $"policy: {message}");
}
