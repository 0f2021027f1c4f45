using System.Security.Cryptography;
using SecGear.Attestation;

// An attested client: it trusts an enclave only when its evidence verifies against a trust anchor, carries the expected
// measurement, and binds the nonce this client chose (so the evidence is fresh, not replayed).
//
//   SecGearClient nonce                                   prints a fresh 32-byte nonce (hex) to send to the enclave
//   SecGearClient verify EVIDENCE CA MEASUREMENT NONCE    verifies evidence made for that nonce, e.g. by
//                                                         `secgear attest --enclave x.sgimage --report-data NONCE --out EVIDENCE`
//
// `secgear attest` (like Enclave.GetEvidence) is the enclave's HOST asking for evidence, so the evidence binds the nonce
// as host-requested report data (ExpectedHostReportData): proof of identity and freshness. Never send a secret to a key
// on that basis: a key the enclave vouches for comes from enclave code binding it (ExpectedReportData).
//
// CA is the simulated platform's attestation CA (PEM, `secgear platform init` prints where it is); on TEE hardware the
// verifier's built-in vendor roots apply instead. MEASUREMENT is the image's, as `secgear measure` prints it.
if (args is ["nonce"])
{
    Console.WriteLine(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)));
    return 0;
}

if (args is not ["verify", var evidencePath, var caPath, var measurementHex, var nonceHex])
{
    Console.Error.WriteLine("usage: SecGearClient nonce | SecGearClient verify EVIDENCE CA MEASUREMENT NONCE");
    return 2;
}

try
{
    byte[] measurement = Convert.FromHexString(measurementHex);
    byte[] nonce = Convert.FromHexString(nonceHex);
    byte[] ca = PemEncoding.TryFind(File.ReadAllText(caPath), out PemFields fields)
        ? Convert.FromBase64String(File.ReadAllText(caPath)[fields.Base64Data])
        : File.ReadAllBytes(caPath);

    AttestationVerifier verifier = AttestationVerifier.CreateDefault();
    verifier.Register(new SecGear.Attestation.Simulation.SimulationEvidenceVerifier(TrustAnchors.FromFingerprints([]).Add(ca)));
    var policy = new AttestationPolicy
    {
        AllowSimulation = true,
        AllowedUniqueIds = [measurement],
        ExpectedHostReportData = nonce,
    };

    AttestationResult result = verifier.Verify(Evidence.Detect(File.ReadAllBytes(evidencePath)), null, DateTimeOffset.UtcNow, policy);
    if (!result.Succeeded)
    {
        Console.Error.WriteLine($"SecGearClient: not trusted: {result.Failure}");
        return 1;
    }

    AttestationClaims claims = result.Claims;
    Console.WriteLine($"trusted: {claims.Tee} {claims.Format}, measurement {Convert.ToHexStringLower(claims.UniqueId.Span)}");
    return 0;
}
catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or AttestationException)
{
    Console.Error.WriteLine($"SecGearClient: {ex.Message}");
    return 1;
}
