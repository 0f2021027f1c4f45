using System.Text.Json;

namespace SecGear.AttestationService;

/// <summary>
/// Evidence of one device attached to the attested CPU TEE (an NVIDIA GPU), sent in
/// <see cref="AttestationRequest.Devices"/>. Its nonce must be <see cref="DeviceNonceBinding.Compute"/>(challenge
/// nonce, the CPU evidence's report data).
/// </summary>
/// <param name="Evidence">The device evidence bytes (for a GPU: the SPDM report as hex or base64 text followed by its PEM chain, or an NVIDIA / trustee JSON envelope with one device).</param>
/// <param name="Collateral">Reference manifests (RIM files) and OCSP responses for this device, in the forms <c>secgear verify --collateral</c> accepts.</param>
public sealed record DeviceEvidence(byte[] Evidence, IReadOnlyList<byte[]>? Collateral = null);

/// <summary>The verdict on one device of a composite attestation.</summary>
/// <param name="Name">The device's submodule name in the token (<c>gpu-0</c>, <c>gpu-1</c>, … in request order).</param>
/// <param name="Status"><see cref="AttestationStatus.Affirming"/> or <see cref="AttestationStatus.Contraindicated"/>.</param>
/// <param name="Claims">The device's normalised claims, when its evidence parsed.</param>
/// <param name="Failure">Why the device is contraindicated.</param>
public sealed record DeviceVerdict(string Name, string Status, JsonElement? Claims, AttestationFailureInfo? Failure);
