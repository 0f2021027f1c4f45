namespace SecGear.Attestation.ArmCca;

/// <summary>The claims of a CCA realm token (signed by the RAK).</summary>
public sealed class CcaRealmClaims
{
    /// <summary>Challenge (10): the relying party's nonce, 64 bytes.</summary>
    public required byte[] Challenge { get; init; }

    /// <summary>Personalization value (44235), 64 bytes.</summary>
    public required byte[] PersonalizationValue { get; init; }

    /// <summary>Realm hash algorithm (44236) of RIM and REMs.</summary>
    public required string HashAlgorithm { get; init; }

    /// <summary>The RAK public key (44237) exactly as encoded in the token (the binding hashes these bytes).</summary>
    public required byte[] PublicKey { get; init; }

    /// <summary>Realm initial measurement (44238).</summary>
    public required byte[] InitialMeasurement { get; init; }

    /// <summary>Realm extensible measurements (44239), four of them.</summary>
    public required IReadOnlyList<byte[]> ExtensibleMeasurements { get; init; }

    /// <summary>The algorithm of the RAK hash in the platform challenge (44240).</summary>
    public required string PublicKeyHashAlgorithm { get; init; }

    /// <summary>Profile (265), present in the 2023 draft only.</summary>
    public string? Profile { get; init; }
}
