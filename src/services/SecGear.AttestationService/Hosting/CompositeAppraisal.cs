using System.Globalization;
using SecGear.Attestation;

namespace SecGear.AttestationService.Hosting;

/// <summary>
/// Composite attestation: the devices (NVIDIA GPUs) attached to a CPU TEE, appraised under the same policy as the CPU
/// TEE, each bound to the challenge and the CPU evidence by <see cref="DeviceNonceBinding"/>. The verdict is
/// affirming only when the CPU TEE and every device are.
/// </summary>
internal static class CompositeAppraisal
{
    /// <summary>Most devices accepted in one attestation (an HGX board carries 8 GPUs).</summary>
    public const int MaxDevices = 8;

    /// <summary>The verdict on each device, and the first device failure (null when every device is affirmed).</summary>
    public static (IReadOnlyList<DeviceVerdict> Verdicts, AttestationFailure? Failure) Appraise(
        EvidenceAppraiser appraiser, IReadOnlyList<DeviceEvidence> devices, AttestationPolicy policy, byte[] nonce, AttestationResult cpu, DateTimeOffset time)
    {
        var verdicts = new List<DeviceVerdict>(devices.Count);
        AttestationFailure? first = null;
        byte[]? deviceNonce = cpu.Claims is { Tee: not TeeKind.NvidiaGpu } cpuClaims ? DeviceNonceBinding.Compute(nonce, cpuClaims.ReportData.Span) : null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < devices.Count; i++)
        {
            string name = string.Create(CultureInfo.InvariantCulture, $"{AttestationTokenClaims.DeviceSubmodPrefix}{i}");
            var result = deviceNonce is not null
                ? appraiser.AppraiseDevice(devices[i].Evidence, devices[i].Collateral, policy, deviceNonce, time)
                : AttestationResult.Fail(
                    AttestationFailureCode.CompositeCpuEvidenceInvalid,
                    cpu.Claims is null
                        ? "the CPU TEE evidence did not verify, so no device nonce can be derived from its report data"
                        : "the first evidence of a composite attestation must come from a CPU TEE, not a GPU");
            if (result.Succeeded && !seen.Add(result.Claims.Fields.GetValueOrDefault("device_id") ?? string.Empty))
            {
                result = AttestationResult.Fail(new AttestationFailure(AttestationFailureCode.CompositeDeviceInvalid, $"device id {result.Claims.Fields.GetValueOrDefault("device_id")} appears twice; each GPU attests once"), result.Claims);
            }

            var failure = result.Failure;
            first ??= failure is null ? null : new AttestationFailure(failure.Code, $"{name}: {failure.Message}");
            verdicts.Add(new DeviceVerdict(
                name,
                result.Succeeded ? AttestationStatus.Affirming : AttestationStatus.Contraindicated,
                EvidenceAppraiser.ClaimsJson(result),
                failure is null ? null : new AttestationFailureInfo(failure.Code.ToString(), failure.Message)));
        }

        return (verdicts, first);
    }
}
