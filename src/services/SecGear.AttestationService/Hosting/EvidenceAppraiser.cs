using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Options;
using SecGear.Attestation;
using SecGear.Attestation.NvidiaGpu;
using SecGear.Attestation.Simulation;

namespace SecGear.AttestationService.Hosting;

/// <summary>
/// Verifies evidence with <see cref="AttestationVerifier.CreateDefault"/> (plus the configured simulation trust anchors)
/// against a stored policy merged with its reference-value sets, expecting the challenge binding as report data.
/// </summary>
public sealed class EvidenceAppraiser
{
    /// <summary>Most collateral pieces accepted in one request.</summary>
    public const int MaxCollateralPieces = 8;

    private readonly AttestationVerifier _verifier;

    /// <summary>Builds the verifier from the options (simulation anchors are PEM or DER certificate files).</summary>
    public EvidenceAppraiser(IOptions<AttestationServiceOptions> options)
        : this(options, [])
    {
    }

    /// <summary>
    /// Builds the verifier from the options, then registers <paramref name="verifiers"/> (from dependency injection),
    /// each replacing the built-in verifier of its format: how a process that embeds the service adds trust it
    /// configures itself (e.g. a confidential-VM verifier with a provisioned CCA platform key).
    /// </summary>
    [ActivatorUtilitiesConstructor]
    public EvidenceAppraiser(IOptions<AttestationServiceOptions> options, IEnumerable<IEvidenceVerifier> verifiers)
    {
        ArgumentNullException.ThrowIfNull(verifiers);
        ArgumentNullException.ThrowIfNull(options);
        _verifier = AttestationVerifier.CreateDefault();
        var anchors = options.Value.SimulationTrustAnchors;
        if (anchors.Count > 0)
        {
            var trusted = TrustAnchors.FromFingerprints([]);
            foreach (var file in anchors)
            {
                trusted = trusted.Add(ReadCertificate(file));
            }

            _verifier.Register(new SimulationEvidenceVerifier(trusted));
        }

        SimulationTrusted = anchors.Count > 0;
        if (options.Value.DeviceTrustAnchors.Count > 0)
        {
            var devices = NvidiaGpuVerifierOptions.NvidiaDeviceProduction;
            foreach (var file in options.Value.DeviceTrustAnchors)
            {
                devices = devices.Add(ReadCertificate(file));
            }

            _verifier.Register(new NvidiaGpuVerifier(new NvidiaGpuVerifierOptions { DeviceTrustAnchors = devices }));
        }

        foreach (var verifier in verifiers)
        {
            _verifier.Register(verifier);
        }
    }

    /// <summary>Whether simulated evidence can verify at all (anchors configured).</summary>
    public bool SimulationTrusted { get; }

    /// <summary>The evidence formats the service detects and verifies.</summary>
    public static IReadOnlyList<string> Formats { get; } =
    [
        EvidenceFormats.IntelDcapQuote, EvidenceFormats.AmdSevSnpReport, EvidenceFormats.AwsNitroDocument,
        EvidenceFormats.ArmCcaToken, EvidenceFormats.SecGearSimulation, EvidenceFormats.NvidiaGpuReport,
    ];

    /// <summary>
    /// Verifies <paramref name="evidence"/> at <paramref name="time"/> against <paramref name="policy"/> with
    /// <see cref="AttestationPolicy.ExpectedReportData"/> set to the binding of the nonce and runtime data.
    /// Without runtime data, evidence the enclave's host requested with that binding
    /// (<see cref="AttestationPolicy.ExpectedHostReportData"/>) is accepted too, and <paramref name="hostRequested"/>
    /// says so; with runtime data only enclave-bound report data is, because the token then vouches for the runtime
    /// key and a host must not be able to bind its own.
    /// </summary>
    public AttestationResult Appraise(
        byte[] evidence, IReadOnlyList<byte[]>? collateral, AttestationPolicy policy, byte[] nonce, byte[]? runtimeData, DateTimeOffset time,
        out bool hostRequested)
    {
        hostRequested = false;
        ArgumentNullException.ThrowIfNull(policy);
        var detected = Evidence.Detect(evidence);
        if (!TryLoadCollateral(detected, collateral, out var loaded, out var failure))
        {
            return AttestationResult.Fail(failure);
        }

        byte[] binding = ReportDataBinding.Compute(nonce, runtimeData ?? []);
        var result = _verifier.Verify(detected, loaded, time, WithReportData(policy, binding));
        if (result.Failure?.Code == AttestationFailureCode.PolicyReportDataMismatch && runtimeData is not { Length: > 0 })
        {
            var asHostRequested = _verifier.Verify(detected, loaded, time, policy with { ExpectedReportData = null, ExpectedHostReportData = binding });
            if (asHostRequested.Succeeded)
            {
                hostRequested = true;
                return asHostRequested;
            }
        }

        return result;
    }

    /// <summary>
    /// Composite attestation: verifies one attached device's evidence (an NVIDIA GPU) at <paramref name="time"/> with
    /// the device rules of <paramref name="policy"/> (TEE kind, RIM appraisal and revocation requirements) and
    /// <paramref name="deviceNonce"/> (<see cref="DeviceNonceBinding"/>) as the expected report data.
    /// </summary>
    public AttestationResult AppraiseDevice(byte[] evidence, IReadOnlyList<byte[]>? collateral, AttestationPolicy policy, byte[] deviceNonce, DateTimeOffset time)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var detected = Evidence.Detect(evidence);
        if (detected.Format != EvidenceFormats.NvidiaGpuReport)
        {
            return AttestationResult.Fail(AttestationFailureCode.CompositeDeviceInvalid, $"device evidence must be NVIDIA GPU evidence; this is '{detected.Format}'");
        }

        if (!TryLoadCollateral(detected, collateral, out var loaded, out var failure))
        {
            return AttestationResult.Fail(failure);
        }

        var devicePolicy = new AttestationPolicy
        {
            AllowedTees = [TeeKind.NvidiaGpu],
            AcceptedTcbStatuses = [TcbStatus.NotApplicable],
            RequireDeviceReferenceValues = policy.RequireDeviceReferenceValues,
            RequireDeviceRevocationChecked = policy.RequireDeviceRevocationChecked,
            ExpectedReportData = deviceNonce,
        };
        return _verifier.Verify(detected, loaded, time, devicePolicy);
    }

    private static bool TryLoadCollateral(Evidence detected, IReadOnlyList<byte[]>? collateral, out Collateral? loaded, [NotNullWhen(false)] out AttestationFailure? failure)
    {
        (loaded, failure) = (null, null);
        if (collateral is not { Count: > 0 })
        {
            return true;
        }

        // Evidence first: unreadable evidence reports its own failure, not a collateral error.
        return CollateralLoader.TryLoad(detected, [.. collateral.Select(piece => (ReadOnlyMemory<byte>)piece)], out loaded, out failure);
    }

    /// <summary>The claims as <c>secgear verify --json</c> prints them, or null.</summary>
    public static JsonElement? ClaimsJson(AttestationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.Claims is null)
        {
            return null;
        }

        using var document = JsonDocument.Parse(AttestationResultJson.Serialize(result));
        return document.RootElement.GetProperty("claims").Clone();
    }

    /// <summary>
    /// The policy with the reference-value sets merged in: their ids and product ids are added to the policy's allowed
    /// lists, and the highest minimum security version of all applies.
    /// </summary>
    public static AttestationPolicy Merge(AttestationPolicy policy, IEnumerable<ReferenceValueSet> sets)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(sets);
        var unique = policy.AllowedUniqueIds.ToList();
        var signers = policy.AllowedSignerIds.ToList();
        var products = policy.AllowedProductIds.ToList();
        int? minimum = policy.MinimumSecurityVersion;
        foreach (var set in sets)
        {
            unique.AddRange(set.UniqueIds.Select(id => (ReadOnlyMemory<byte>)Convert.FromHexString(id)));
            signers.AddRange(set.SignerIds.Select(id => (ReadOnlyMemory<byte>)Convert.FromHexString(id)));
            products.AddRange(set.ProductIds);
            if (set.MinimumSecurityVersion is { } setMinimum)
            {
                minimum = Math.Max(minimum ?? setMinimum, setMinimum);
            }
        }

        return policy with { AllowedUniqueIds = unique, AllowedSignerIds = signers, AllowedProductIds = products, MinimumSecurityVersion = minimum };
    }

    private static AttestationPolicy WithReportData(AttestationPolicy policy, byte[] reportData) =>
        policy with { ExpectedReportData = reportData, ExpectedHostReportData = null };

    private static byte[] ReadCertificate(string path)
    {
        try
        {
            // The platform loader takes DER or PEM.
            using var certificate = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificateFromFile(path);
            return certificate.RawData;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException)
        {
            throw new InvalidOperationException($"The simulation trust anchor '{path}' cannot be read as a PEM or DER certificate: {ex.Message}", ex);
        }
    }
}
