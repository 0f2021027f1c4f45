namespace SecGear.Attestation;

/// <summary>
/// The exact check that failed. Parse checks come first, then evidence signatures and certificate chains, then
/// collateral (CRLs, TCB info, QE identity), then the TCB level, then the caller's policy.
/// </summary>
public enum AttestationFailureCode
{
    /// <summary>The evidence is zero bytes long.</summary>
    EvidenceEmpty = 1,

    /// <summary>The evidence is larger than the configured limit.</summary>
    EvidenceTooLarge,

    /// <summary>The evidence is truncated or its internal lengths are inconsistent.</summary>
    EvidenceMalformed,

    /// <summary>No verifier is registered for the evidence format, or the format could not be recognised.</summary>
    UnsupportedEvidenceFormat,

    /// <summary>The quote version is not 3, 4 or 5.</summary>
    UnsupportedQuoteVersion,

    /// <summary>The attestation key type is not ECDSA-256-with-P-256.</summary>
    UnsupportedAttestationKeyType,

    /// <summary>The TEE type or body type is unknown or inconsistent with the quote version.</summary>
    UnsupportedTeeType,

    /// <summary>The QE vendor id is not Intel's.</summary>
    UnknownQeVendor,

    /// <summary>The certification data is of a type this verifier cannot use (only type 5, or 6 wrapping 5).</summary>
    UnsupportedCertificationDataType,

    /// <summary>Bytes follow the signature data and the options forbid them.</summary>
    TrailingBytes,

    /// <summary>The PCK certificate chain in the evidence cannot be read or has the wrong number of certificates.</summary>
    PckChainMalformed,

    /// <summary>A certificate's issuer name is not the subject name of the next certificate in the chain.</summary>
    PckChainIssuerMismatch,

    /// <summary>The PCK (leaf) certificate's signature does not verify with the intermediate CA's key.</summary>
    PckCertificateSignatureInvalid,

    /// <summary>The intermediate CA certificate's signature does not verify with the root's key.</summary>
    IntermediateCertificateSignatureInvalid,

    /// <summary>An issuing certificate is not a CA (basic constraints).</summary>
    IssuerNotCertificateAuthority,

    /// <summary>The chain's root is not one of the pinned trust anchors (compared by SHA-256 fingerprint).</summary>
    RootNotTrusted,

    /// <summary>The PCK certificate is outside its validity period at the verification time.</summary>
    PckCertificateExpired,

    /// <summary>The intermediate CA certificate is outside its validity period at the verification time.</summary>
    IntermediateCertificateExpired,

    /// <summary>The root certificate is outside its validity period at the verification time.</summary>
    RootCertificateExpired,

    /// <summary>The PCK certificate lacks the Intel SGX extension or it is malformed.</summary>
    PckExtensionMalformed,

    /// <summary>The attestation public key in the quote is not a valid P-256 point.</summary>
    AttestationKeyInvalid,

    /// <summary>The QE report signature does not verify with the PCK certificate's key.</summary>
    QeReportSignatureInvalid,

    /// <summary>QE report data is not SHA-256(attestation key || QE authentication data) followed by 32 zero bytes.</summary>
    QeReportDataMismatch,

    /// <summary>The quote signature does not verify with the attestation key.</summary>
    QuoteSignatureInvalid,

    /// <summary>Collateral is required (CRLs, TCB info, QE identity) and none was given.</summary>
    CollateralMissing,

    /// <summary>The collateral cannot be parsed.</summary>
    CollateralMalformed,

    /// <summary>The collateral could not be fetched (HTTP error, timeout, oversized response).</summary>
    CollateralUnavailable,

    /// <summary>The root CA CRL is not signed by the pinned root.</summary>
    RootCaCrlSignatureInvalid,

    /// <summary>The root CA CRL is outside thisUpdate..nextUpdate at the verification time.</summary>
    RootCaCrlExpired,

    /// <summary>The PCK CRL was not issued by the CA that issued the PCK certificate.</summary>
    PckCrlIssuerMismatch,

    /// <summary>The PCK CRL signature does not verify with the issuing CA's key.</summary>
    PckCrlSignatureInvalid,

    /// <summary>The PCK CRL is outside thisUpdate..nextUpdate at the verification time.</summary>
    PckCrlExpired,

    /// <summary>The PCK certificate's serial number is listed in the PCK CRL.</summary>
    PckCertificateRevoked,

    /// <summary>An intermediate or TCB signing certificate's serial number is listed in the root CA CRL.</summary>
    IntermediateCertificateRevoked,

    /// <summary>The TCB signing chain (for TCB info or QE identity) is malformed, mis-issued, expired or untrusted.</summary>
    TcbSigningChainInvalid,

    /// <summary>The TCB info signature does not verify over its exact signed bytes.</summary>
    TcbInfoSignatureInvalid,

    /// <summary>The verification time is after the TCB info's nextUpdate.</summary>
    TcbInfoExpired,

    /// <summary>The verification time is before the TCB info's issueDate.</summary>
    TcbInfoNotYetValid,

    /// <summary>The TCB info is for another TEE (id SGX vs TDX) or of an unsupported version.</summary>
    TcbInfoTeeMismatch,

    /// <summary>The TCB info FMSPC differs from the PCK certificate's.</summary>
    TcbInfoFmspcMismatch,

    /// <summary>The TCB info PCE id differs from the PCK certificate's.</summary>
    TcbInfoPceIdMismatch,

    /// <summary>The QE identity signature does not verify over its exact signed bytes.</summary>
    QeIdentitySignatureInvalid,

    /// <summary>The verification time is after the QE identity's nextUpdate.</summary>
    QeIdentityExpired,

    /// <summary>The verification time is before the QE identity's issueDate.</summary>
    QeIdentityNotYetValid,

    /// <summary>The QE identity is for another quoting enclave (QE vs TD_QE).</summary>
    QeIdentityIdMismatch,

    /// <summary>The QE report does not match the QE identity (MRSIGNER, ISVPRODID, MISCSELECT or ATTRIBUTES).</summary>
    QeIdentityMismatch,

    /// <summary>The QE's ISVSVN is below every level of the QE identity, or its level is Revoked: the combined TCB status is Revoked.</summary>
    QeTcbRevoked,

    /// <summary>No TCB level in the TCB info matches the platform (Intel: TCB not supported).</summary>
    TcbLevelNotSupported,

    /// <summary>The platform's TCB level is Revoked.</summary>
    TcbRevoked,

    /// <summary>The TDX module identity for the module's major version is missing or does not match MRSIGNERSEAM/SEAMATTRIBUTES.</summary>
    TdxModuleMismatch,

    /// <summary>Policy: the unique id (MRENCLAVE/MRTD) is not in the allowed list.</summary>
    PolicyUniqueIdNotAllowed,

    /// <summary>Policy: the signer id (MRSIGNER) is not in the allowed list.</summary>
    PolicySignerIdNotAllowed,

    /// <summary>Policy: the product id is not in the allowed list.</summary>
    PolicyProductIdNotAllowed,

    /// <summary>Policy: the security version is below the minimum.</summary>
    PolicySecurityVersionTooLow,

    /// <summary>Policy: the TCB status is not accepted.</summary>
    PolicyTcbStatusNotAccepted,

    /// <summary>Policy: the enclave or TD runs in debug mode and debug is not allowed.</summary>
    PolicyDebugNotAllowed,

    /// <summary>Policy: the report data does not equal the expected report data / nonce.</summary>
    PolicyReportDataMismatch,

    /// <summary>Policy: the evidence's TEE kind is not accepted.</summary>
    PolicyTeeNotAllowed,

    /// <summary>Policy: the evidence is simulated and the policy does not allow simulated evidence.</summary>
    PolicySimulationNotAllowed,

    /// <summary>The policy document itself is invalid (bad JSON, unknown property, bad value).</summary>
    PolicyMalformed,

    /// <summary>The report / document / token version or profile is not supported.</summary>
    UnsupportedEvidenceVersion,

    /// <summary>The evidence names a signature algorithm this verifier does not accept.</summary>
    UnsupportedSignatureAlgorithm,

    /// <summary>SEV-SNP: the report's SIGNING_KEY is neither VCEK (0) nor VLEK (1).</summary>
    UnsupportedSigningKey,

    /// <summary>The endorsement certificate (VCEK, VLEK, Nitro leaf) cannot be read or is not of the expected kind.</summary>
    EndorsementCertificateMalformed,

    /// <summary>A certificate chain (ASK/ASVK/ARK, Nitro cabundle) cannot be read or has the wrong shape.</summary>
    CertificateChainMalformed,

    /// <summary>A certificate's issuer name is not the subject name of the certificate that should have issued it.</summary>
    CertificateIssuerMismatch,

    /// <summary>A certificate's signature does not verify with its issuer's key (the message names the certificate).</summary>
    CertificateSignatureInvalid,

    /// <summary>A certificate is outside its validity period at the verification time (the message names it).</summary>
    CertificateExpired,

    /// <summary>SEV-SNP: the VCEK/VLEK product (Milan, Genoa, Turin) does not match its chain.</summary>
    EndorsementProductMismatch,

    /// <summary>SEV-SNP: a TCB component in the VCEK/VLEK differs from the report's REPORTED_TCB.</summary>
    EndorsementTcbMismatch,

    /// <summary>SEV-SNP: the VCEK hardware id differs from the report's CHIP_ID.</summary>
    EndorsementHardwareIdMismatch,

    /// <summary>The evidence signature (SNP report, Nitro COSE_Sign1, CCA platform token) does not verify.</summary>
    EvidenceSignatureInvalid,

    /// <summary>Arm CCA: no provisioned platform attestation key (CPAK) matches the token's implementation / instance id.</summary>
    PlatformKeyNotTrusted,

    /// <summary>Arm CCA: the provisioned CPAK or the realm attestation key (RAK) is not a valid public key.</summary>
    AttestationKeyMalformed,

    /// <summary>Arm CCA: the realm token signature does not verify with the RAK it carries.</summary>
    RealmSignatureInvalid,

    /// <summary>Arm CCA: the platform token's challenge is not the hash of the realm's RAK.</summary>
    PlatformRealmBindingMismatch,

    /// <summary>Simulation evidence: the attestation key or CA certificate cannot be parsed.</summary>
    SimulationCertificateMalformed,

    /// <summary>Simulation evidence: the attestation key certificate's issuer is not the simulated CA's subject.</summary>
    AttestationKeyCertificateIssuerMismatch,

    /// <summary>Simulation evidence: the attestation key certificate's signature does not verify with the CA's key.</summary>
    AttestationKeyCertificateSignatureInvalid,

    /// <summary>Simulation evidence: the attestation key certificate is outside its validity period at the verification time.</summary>
    AttestationKeyCertificateExpired,

    /// <summary>
    /// The PCK CRL issuer chain from the collateral is malformed, mis-issued, expired, revoked or does not end at a
    /// pinned root with the PCK chain's root key.
    /// </summary>
    PckCrlIssuerChainInvalid,

    /// <summary>NVIDIA GPU: the firmware id in the device's leaf certificate is missing or differs from the one in the report.</summary>
    DeviceFirmwareIdMismatch,

    /// <summary>A certificate of the evidence's chain is revoked according to a supplied OCSP response.</summary>
    CertificateRevoked,

    /// <summary>A supplied OCSP response about a chain certificate is not signed by its issuer (or a delegate) or is not current.</summary>
    RevocationResponseInvalid,

    /// <summary>A reference manifest (NVIDIA RIM) digest or signature does not verify over its canonical form.</summary>
    ReferenceManifestSignatureInvalid,

    /// <summary>A reference manifest's signer chain does not reach a pinned reference-value root, or is expired at the verification time.</summary>
    ReferenceManifestUntrusted,

    /// <summary>A measurement or version differs from the reference manifest: the message names the index, the value found and the values expected.</summary>
    ReferenceValueMismatch,

    /// <summary>Policy: the device's measurements were not appraised against reference manifests and the policy requires it.</summary>
    PolicyReferenceValuesNotAppraised,

    /// <summary>Policy: the revocation of the device's certificates was not checked and the policy requires it.</summary>
    PolicyRevocationNotChecked,

    /// <summary>Composite attestation: the CPU TEE evidence did not verify (or is not CPU TEE evidence), so no device nonce can be derived from its report data.</summary>
    CompositeCpuEvidenceInvalid,

    /// <summary>Composite attestation: the same device (device id) appears twice, or a device's evidence is not device evidence.</summary>
    CompositeDeviceInvalid,

    /// <summary>The enclave ran in its host's process (in-process engine) and the policy does not allow that.</summary>
    PolicyInProcessNotAllowed,

    /// <summary>
    /// virtCCA: the token holds only the realm token; nothing binds its realm key to the device AIK, so it is not
    /// hardware evidence (accepted only when the verifier's options allow unendorsed realm tokens).
    /// </summary>
    RealmTokenNotEndorsed,

    /// <summary>Azure vTPM: the SHA-256 of the supplied PCR values is not the quote's pcrDigest (or they do not match its selection).</summary>
    PcrDigestMismatch,

    /// <summary>Azure vTPM: the hardware report data is not SHA-256 of the HCL runtime data, or the TD quote is not of the HCL's TD.</summary>
    RuntimeDataBindingMismatch,

    /// <summary>Azure vTPM (envelope version 2): the runtime data's user-data does not begin with the quote nonce.</summary>
    UserDataBindingMismatch,

    /// <summary>
    /// The evidence is consistent but its hardware report cannot be authenticated remotely (Azure TDX HCL report
    /// without its Intel-signed TD quote): not attested.
    /// </summary>
    HardwareReportNotVerifiable,

    /// <summary>Azure vTPM: the HCL's SEV-SNP report was not produced at VMPL 0 (by the paravisor).</summary>
    HclReportNotFromParavisor,

    /// <summary>
    /// Confidential-VM engine: the hardware report data is not the binding of the enclave identity and report data the
    /// evidence names (see <see cref="SecGear.ConfidentialVm.ConfidentialVmEvidence.ComputeBinding"/>).
    /// </summary>
    EnclaveBindingMismatch,

    /// <summary>The VM's launch measurement (claim <c>vm_measurement</c>: MRTD, SNP MEASUREMENT, CCA RIM) is not among the allowed.</summary>
    PolicyVmMeasurementNotAllowed,

    /// <summary>A claim field the policy constrains is absent or holds a value the policy does not allow.</summary>
    PolicyFieldNotAllowed,
}
