using System.Security.Cryptography;
using System.Text;
using LocalAttestation;
using SecGear.Attestation;
using SecGear.Attestation.Simulation;
using SecGear.Host;
using SecGear.Simulation;
using SecGear.Trusted.Attestation;

// LocalAttestation host: start two enclaves on this platform and relay the three local attestation messages
// between them; each enclave learns the other's measurement and both derive one session key that the host never
// sees. Then enclave A sends B a message encrypted under that key, a tampered exchange is shown to fail, and B's
// simulation evidence is verified as a remote verifier would.
string directory = AppContext.BaseDirectory;
await using Enclave? a = EnclaveStartup.CreateOrReport(Path.Combine(directory, "LocalAttestation.EnclaveA.sgimage"), EnclaveType.Auto);
await using Enclave? b = a is null ? null : EnclaveStartup.CreateOrReport(Path.Combine(directory, "LocalAttestation.EnclaveB.sgimage"), EnclaveType.Auto);
if (a is null || b is null)
{
    return EnclaveStartup.FailureExitCode;
}
var initiator = new LocalAttestProxy(a, new HostOcalls());
var responder = new LocalAttestProxy(b, new HostOcalls());

Console.WriteLine($"engine:           {a.EngineName}");
Console.WriteLine($"enclave A:        {a.Identity.MeasurementHex}");
Console.WriteLine($"enclave B:        {b.Identity.MeasurementHex}");

byte[] msg1 = new byte[100], msg2 = new byte[272], msg3 = new byte[208], peerOfB = new byte[32], peerOfA = new byte[32];
if (responder.LaResponderStart(msg1) != 0
    || initiator.LaInitiatorAnswer(msg1, msg2) != 0
    || responder.LaResponderFinish(msg2, msg3, peerOfB) != 0
    || initiator.LaInitiatorFinish(msg3, peerOfA) != 0)
{
    Console.Error.WriteLine("local attestation failed");
    return 1;
}

bool identitiesMatch = peerOfA.AsSpan().SequenceEqual(b.Identity.Measurement) && peerOfB.AsSpan().SequenceEqual(a.Identity.Measurement);
Console.WriteLine($"A verified B:     {Convert.ToHexStringLower(peerOfA)}");
Console.WriteLine($"B verified A:     {Convert.ToHexStringLower(peerOfB)}");
Console.WriteLine($"identities:       {(identitiesMatch ? "each enclave learned the other's measurement" : "MISMATCH")}");

byte[] sealedMessage = new byte[256];
int sealedLength = initiator.LaSend("meet at the usual place", sealedMessage);
byte[] text = new byte[256];
int textLength = sealedLength < 0 ? -1 : responder.LaReceive(sealedMessage.AsSpan(0, sealedLength), text);
Console.WriteLine($"B decrypted:      {(textLength < 0 ? "FAILED" : Encoding.UTF8.GetString(text, 0, textLength))}");

// A host that alters message 2 in transit is caught by the responder.
byte[] tampered = new byte[272];
responder.LaResponderStart(msg1);
initiator.LaInitiatorAnswer(msg1, tampered);
tampered[200] ^= 0x01;
bool refused = responder.LaResponderFinish(tampered, msg3, peerOfB) != 0;
Console.WriteLine($"tampered msg 2:   {(refused ? "refused by the responder" : "ACCEPTED")}");

// Remote attestation of the running enclave B: it returns evidence binding a fresh nonce; the host verifies it
// against this machine's simulated CA (pinned from its file, not taken from the evidence) and a policy.
byte[] nonce = RandomNumberGenerator.GetBytes(32);
byte[] evidenceBuffer = new byte[SimulationEvidence.MaxLength];
int evidenceLength = responder.LaEvidence(nonce, evidenceBuffer);
var verifier = new AttestationVerifier();
verifier.Register(new SimulationEvidenceVerifier(TrustAnchors.FromFingerprints([]).Add(SimulatedAttestationAuthority.EnsureCaCertificate())));
var policy = new AttestationPolicy { AllowSimulation = true, AllowedUniqueIds = [b.Identity.Measurement], ExpectedReportData = nonce };
var result = evidenceLength < 0
    ? AttestationResult.Fail(AttestationFailureCode.EvidenceEmpty, "la_evidence failed")
    : verifier.Verify(Evidence.Detect(evidenceBuffer.AsSpan(0, evidenceLength)), null, DateTimeOffset.UtcNow, policy);
Console.WriteLine(result.Succeeded
    ? $"B's evidence:     verified ({result.Claims!.Format}, simulated, measurement {Convert.ToHexStringLower(result.Claims.UniqueId.Span)[..16]}..., nonce bound)"
    : $"B's evidence:     REJECTED {result.Failure}");
return identitiesMatch && textLength > 0 && refused && result.Succeeded ? 0 : 1;

/// <summary>The host's implementation of the OCALLs declared in local_attest.edl.</summary>
internal sealed class HostOcalls : ILocalAttestOcalls
{
    public void PrintMessage(string? message) => Console.WriteLine(message);
}
