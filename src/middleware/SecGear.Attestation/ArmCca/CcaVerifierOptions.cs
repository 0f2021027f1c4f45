namespace SecGear.Attestation.ArmCca;

/// <summary>Options of <see cref="CcaVerifier"/>.</summary>
public sealed class CcaVerifierOptions
{
    /// <summary>The provisioned platform attestation keys (CPAKs). Default: none, so every token is untrusted until keys are added.</summary>
    public CcaPlatformKeyStore PlatformKeys { get; init; } = CcaPlatformKeyStore.Empty;

    /// <summary>Largest token accepted, in bytes (default 64 KiB; real tokens are 1..3 KB).</summary>
    public int MaxTokenSize { get; init; } = 64 * 1024;
}
