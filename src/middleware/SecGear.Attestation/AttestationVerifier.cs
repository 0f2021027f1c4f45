using System.Collections.Concurrent;
using SecGear.Attestation.Intel;

namespace SecGear.Attestation;

/// <summary>
/// The one entry point for verification: picks the plug-in for the evidence format, verifies signatures, chains and
/// collateral at an explicit time, then applies the policy. Never throws for bad evidence.
/// </summary>
public sealed class AttestationVerifier
{
    private readonly ConcurrentDictionary<string, IEvidenceVerifier> _verifiers = new(StringComparer.Ordinal);

    /// <summary>Creates a verifier with no plug-ins.</summary>
    public AttestationVerifier()
    {
    }

    /// <summary>
    /// A verifier with the built-in plug-ins using default options: Intel DCAP (production Intel root), SEV-SNP
    /// (production AMD ARKs), Nitro (AWS Root-G1), CCA (no CPAK provisioned: register a configured
    /// <see cref="ArmCca.CcaVerifier"/> to trust platforms), NVIDIA GPUs (NVIDIA Device Identity CA and RIM root),
    /// virtCCA (Huawei Equipment CA; unendorsed realm tokens refused), Azure vTPM evidence and confidential-VM engine evidence (its hardware evidence checked by the same built-in TDX, SEV-SNP and CCA verifiers).
    /// </summary>
    public static AttestationVerifier CreateDefault()
    {
        var verifier = new AttestationVerifier();
        verifier.Register(new IntelDcapVerifier());
        verifier.Register(new AmdSevSnp.SevSnpVerifier());
        verifier.Register(new AwsNitro.NitroVerifier());
        verifier.Register(new ArmCca.CcaVerifier());
        verifier.Register(new NvidiaGpu.NvidiaGpuVerifier());
        verifier.Register(new HuaweiVirtCca.VirtCcaVerifier());
        verifier.Register(new AzureVtpm.AzureVtpmVerifier());
        verifier.Register(new ConfidentialVm.ConfidentialVmVerifier());
        return verifier;
    }

    /// <summary>Registers (or replaces) the plug-in for its format.</summary>
    public void Register(IEvidenceVerifier verifier)
    {
        ArgumentNullException.ThrowIfNull(verifier);
        _verifiers[verifier.Format] = verifier;
    }

    /// <summary>
    /// Verifies evidence at <paramref name="verificationTime"/> with optional collateral, then applies the optional
    /// policy. Returns claims, or a failure naming the exact check that failed.
    /// </summary>
    public AttestationResult Verify(Evidence evidence, Collateral? collateral, DateTimeOffset verificationTime, AttestationPolicy? policy = null)
    {
        ArgumentNullException.ThrowIfNull(evidence);
        if (!_verifiers.TryGetValue(evidence.Format, out var plugin))
        {
            return AttestationResult.Fail(
                AttestationFailureCode.UnsupportedEvidenceFormat,
                $"no verifier is registered for evidence format '{evidence.Format}'; registered: {string.Join(", ", _verifiers.Keys.Order(StringComparer.Ordinal))}");
        }

        if (collateral is not null && !string.Equals(collateral.Format, evidence.Format, StringComparison.Ordinal))
        {
            return AttestationResult.Fail(
                AttestationFailureCode.CollateralMalformed,
                $"collateral is for format '{collateral.Format}', evidence is '{evidence.Format}'");
        }

        AttestationResult result;
        try
        {
            result = plugin.Verify(evidence.Data, collateral, verificationTime);
        }
        catch (Exception ex) when (ex is not (OutOfMemoryException or OperationCanceledException))
        {
            // Plug-ins return failures for bad evidence (the fuzz tests hold each built-in one to that); this is the
            // backstop for a plug-in that breaks the contract, so that Verify itself never throws for bad evidence.
            return AttestationResult.Fail(
                AttestationFailureCode.EvidenceMalformed,
                $"the {evidence.Format} verifier could not process the evidence ({ex.GetType().Name}: {FailureText.Of(ex)}); this is a verifier fault, please report it");
        }

        if (!result.Succeeded || policy is null)
        {
            return result;
        }

        var policyFailure = policy.Evaluate(result.Claims);
        return policyFailure is null ? result : AttestationResult.Fail(policyFailure, result.Claims);
    }

    /// <summary>
    /// Like <see cref="Verify"/>, fetching the collateral for the evidence's platform from <paramref name="collateralProvider"/>
    /// (Intel DCAP quotes). A fetch failure is returned as its failure (<see cref="AttestationFailureCode.CollateralUnavailable"/>
    /// or <see cref="AttestationFailureCode.CollateralMalformed"/>), never thrown.
    /// </summary>
    public async Task<AttestationResult> VerifyAsync(
        Evidence evidence,
        ICollateralProvider collateralProvider,
        DateTimeOffset verificationTime,
        AttestationPolicy? policy = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(evidence);
        ArgumentNullException.ThrowIfNull(collateralProvider);
        if (evidence.Format != EvidenceFormats.IntelDcapQuote)
        {
            return Verify(evidence, null, verificationTime, policy);
        }

        if (!IntelCollateralRequest.TryFromQuote(evidence.Data, out var request, out var failure))
        {
            return AttestationResult.Fail(failure);
        }

        IntelCollateral collateral;
        try
        {
            collateral = await collateralProvider.GetCollateralAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (AttestationException ex)
        {
            return AttestationResult.Fail(ex.Failure);
        }

        return Verify(evidence, collateral, verificationTime, policy);
    }
}
