namespace SecGear.RaTls;

/// <summary>Why an RA-TLS certificate was refused, in the order the checks run (docs/ra-tls.md).</summary>
public enum RaTlsFailureCode
{
    /// <summary>The peer presented no certificate.</summary>
    CertificateMissing = 1,

    /// <summary>The certificate's subject does not match the host name the client asked for (and the validator checks names).</summary>
    NameMismatch,

    /// <summary>The certificate key is not ECDSA P-256 or P-384.</summary>
    UnsupportedKey,

    /// <summary>The certificate is not a valid self-signed certificate at the verification time (issuer, validity period, self-signature).</summary>
    CertificateInvalid,

    /// <summary>The certificate has no evidence extension.</summary>
    ExtensionMissing,

    /// <summary>The certificate has more than one evidence extension.</summary>
    ExtensionDuplicated,

    /// <summary>The evidence extension is not valid DER, has an unknown version, or its evidence is empty or too large.</summary>
    ExtensionMalformed,

    /// <summary>The evidence did not verify (signature, chain, collateral); <see cref="RaTlsFailure.Attestation"/> says which check.</summary>
    EvidenceRejected,

    /// <summary>The evidence's report data is not SHA-256 of the certificate's SubjectPublicKeyInfo followed by zeros.</summary>
    KeyBindingMismatch,

    /// <summary>The evidence verified but the attestation policy refused its claims; <see cref="RaTlsFailure.Attestation"/> says which check.</summary>
    PolicyRejected,
}
