namespace SecGear.Attestation.Intel;

/// <summary>Options of <see cref="IntelDcapVerifier"/>.</summary>
public sealed class IntelDcapVerifierOptions
{
    /// <summary>Roots accepted at the end of the PCK and TCB signing chains. Default: the production Intel SGX Root CA.</summary>
    public TrustAnchors TrustAnchors { get; init; } = TrustAnchors.IntelProduction;

    /// <summary>
    /// Whether bytes after the declared signature data are tolerated (default true: real quotes carry buffer padding,
    /// as go-tdx-guest and dcap-qvl accept). When false they fail with <see cref="AttestationFailureCode.TrailingBytes"/>,
    /// as Intel's QVL does.
    /// </summary>
    public bool AllowTrailingBytes { get; init; } = true;

    /// <summary>Largest quote accepted, in bytes (default 64 KiB; real quotes are about 5 KB).</summary>
    public int MaxQuoteSize { get; init; } = 64 * 1024;
}
