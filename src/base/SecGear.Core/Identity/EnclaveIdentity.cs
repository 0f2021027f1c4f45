namespace SecGear.Identity;

/// <summary>
/// Who an enclave is: its measurement (MRENCLAVE analogue), its signer (MRSIGNER analogue: SHA-256 of the
/// signer's SubjectPublicKeyInfo), product id, security version and debug flag (DESIGN.md section 5).
/// </summary>
public sealed record EnclaveIdentity(byte[] Measurement, byte[] Signer, ushort ProductId, ushort SecurityVersion, bool Debug)
{
    /// <summary>Measurement as lower-case hex.</summary>
    public string MeasurementHex => Convert.ToHexStringLower(Measurement);

    /// <summary>Signer as lower-case hex.</summary>
    public string SignerHex => Convert.ToHexStringLower(Signer);
}
