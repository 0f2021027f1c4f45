using System.Buffers.Binary;
using System.Security.Cryptography;
using SecGear.Attestation.AmdSevSnp;
using SecGear.Attestation.AwsNitro;
using SecGear.Attestation.Intel;
using SecGear.Attestation.Simulation;
using SecGear.Attestation.Tests.AmdSevSnp;
using SecGear.Attestation.Tests.ArmCca;
using SecGear.Attestation.Tests.AwsNitro;
using SecGear.Simulation;
using Xunit.Abstractions;

namespace SecGear.Attestation.Tests.Fuzzing;

/// <summary>
/// "Verify never throws for bad evidence", per format: 10,000 structure-aware mutants of real (or, for simulation,
/// freshly made) evidence each, from fixed seeds, every one a typed failure. The plug-ins are called directly, so the
/// dispatcher's backstop cannot hide a plug-in that throws.
/// </summary>
public sealed class EvidenceFuzzTests(ITestOutputHelper output)
{
    [TestVectorFact]
    public void Sgx_dcap_quote_mutants_give_typed_failures()
    {
        var mutations = new DcapQuoteMutations(Samples.Sgx1Quote);
        var verifier = new IntelDcapVerifier(new IntelDcapVerifierOptions { AllowTrailingBytes = false });
        var collateral = Samples.Sgx1Collateral;
        Report(FuzzRun.Execute("SGX DCAP v3", mutations.Quote, 3001, FuzzRun.InputsPerFormat, mutations.Mutate, q => verifier.Verify(q, collateral, Samples.Sgx1Time)));
    }

    [TestVectorFact]
    public void Tdx_dcap_quote_mutants_give_typed_failures()
    {
        var v4 = new DcapQuoteMutations(Samples.Tdx1Quote);
        var v5 = new DcapQuoteMutations(Samples.Tdx4Quote);
        var verifier = new IntelDcapVerifier(new IntelDcapVerifierOptions { AllowTrailingBytes = false });
        var collateral4 = Samples.Tdx1Collateral;
        var collateral5 = Samples.Tdx4Collateral;
        Report(FuzzRun.Execute("TDX DCAP v4", v4.Quote, 3002, FuzzRun.InputsPerFormat / 2, v4.Mutate, q => verifier.Verify(q, collateral4, Samples.Tdx1Time)));
        Report(FuzzRun.Execute("TDX DCAP v5", v5.Quote, 3003, FuzzRun.InputsPerFormat / 2, v5.Mutate, q => verifier.Verify(q, collateral5, Samples.Tdx4Time)));
    }

    [TestVectorFact]
    public void Intel_json_collateral_mutants_give_typed_failures()
    {
        var json = TestVectors.Read("sgx-dcap-v3/dcap-qvl/sgx_quote_collateral.json");
        var quote = Samples.Sgx1Quote;
        var verifier = new IntelDcapVerifier(new IntelDcapVerifierOptions { AllowTrailingBytes = false });
        Report(FuzzRun.Execute("Intel collateral JSON", json, 3004, 2_000, JsonMutations.Mutate, c =>
        {
            try
            {
                return verifier.Verify(quote, IntelCollateral.Load(c), Samples.Sgx1Time);
            }
            catch (AttestationException ex)
            {
                return AttestationResult.Fail(ex.Failure);
            }
        }));
    }

    [TestVectorFact]
    public void Sev_snp_report_mutants_give_typed_failures()
    {
        var (report, collateral) = SevSnpSampleTests.GoSevGuest();
        var verifier = new SevSnpVerifier();
        (int Offset, int Width)[] fields = [(0x00, 4), (0x04, 4), (0x08, 8), (0x30, 4), (0x34, 4), (0x38, 8), (0x48, 4), (0x180, 8), (0x2A0, 8), (0x2E8, 8)];
        Report(FuzzRun.Execute("SEV-SNP report", report, 3005, FuzzRun.InputsPerFormat, (random, input) =>
        {
            if (random.Next(3) == 0)
            {
                var (offset, width) = fields[random.Next(fields.Length)];
                return ByteMutations.SetLittleEndianField(random, input, offset, width);
            }

            return ByteMutations.Any(random, input);
        }, r => verifier.Verify(r, collateral, SevSnpSampleTests.GoSevGuestTime)));
    }

    [TestVectorFact]
    public void Sev_snp_vcek_and_chain_mutants_give_typed_failures()
    {
        var (report, _) = SevSnpSampleTests.GoSevGuest();
        var vcek = TestVectors.Read("sev-snp/go-sev-guest/vcek.der");
        var chain = TestVectors.Read("sev-snp/go-sev-guest/ask_ark_milan.pem");
        var verifier = new SevSnpVerifier();
        Report(FuzzRun.Execute("SEV-SNP VCEK (ASN.1)", vcek, 3006, 2_000, DerMutations.Mutate, v => WithCollateral(() => SevSnpCollateral.Create(v, chain), c => verifier.Verify(report, c, SevSnpSampleTests.GoSevGuestTime))));
        Report(FuzzRun.Execute("SEV-SNP ASK/ARK (PEM)", chain, 3007, 1_000, ByteMutations.Any, p => WithCollateral(() => SevSnpCollateral.Create(vcek, p), c => verifier.Verify(report, c, SevSnpSampleTests.GoSevGuestTime))));
    }

    [TestVectorFact]
    public void Nitro_document_mutants_give_typed_failures()
    {
        var document = NitroSampleTests.Veracruz();
        var verifier = new NitroVerifier();
        Report(FuzzRun.Execute("AWS Nitro (CBOR/COSE/ASN.1)", document, 3008, FuzzRun.InputsPerFormat, CborOrBytes, d => verifier.Verify(d, null, NitroSampleTests.VeracruzTime)));
    }

    [TestVectorFact]
    public void Cca_token_mutants_give_typed_failures()
    {
        var token = TestVectors.Read(CcaSampleTests.Dir + "cca-token-01.cbor");
        var verifier = CcaSampleTests.With("ta-tfa.json");
        Report(FuzzRun.Execute("Arm CCA (CBOR/COSE)", token, 3009, FuzzRun.InputsPerFormat, CborOrBytes, t => verifier.Verify(t, null, DateTimeOffset.UnixEpoch)));
    }

    [Fact]
    public void Simulation_evidence_mutants_give_typed_failures()
    {
        using var machine = new SimulatedMachine();
        var evidence = machine.NewPlatform().GetEvidence(SHA256.HashData("fuzz"u8));
        var verifier = new SimulationEvidenceVerifier(machine.Anchors);
        (int Offset, int Width)[] fields = [(4, 2), (6, 2), (72, 2), (74, 2), (236, 2)];
        Report(FuzzRun.Execute("SecGear simulation", evidence, 3010, FuzzRun.InputsPerFormat, (random, input) => random.Next(3) switch
        {
            0 => ByteMutations.SetLittleEndianField(random, input, fields[random.Next(fields.Length)].Offset, 2),
            1 => MutateSimulationCertificate(random, input),
            _ => ByteMutations.Any(random, input),
        }, e => verifier.Verify(e, null, DateTimeOffset.UtcNow)));
    }

    private static byte[] CborOrBytes(Random random, byte[] input) =>
        random.Next(3) == 0 ? ByteMutations.Any(random, input) : CborMutations.Mutate(random, input);

    private static AttestationResult WithCollateral<T>(Func<T> load, Func<T, AttestationResult> verify)
    {
        T collateral;
        try
        {
            collateral = load();
        }
        catch (AttestationException ex)
        {
            return AttestationResult.Fail(ex.Failure);
        }

        return verify(collateral);
    }

    /// <summary>Mutates the DER of one of the two certificates and rewrites its u16 length, so parsing reaches the chain checks.</summary>
    private static byte[] MutateSimulationCertificate(Random random, byte[] evidence)
    {
        int first = SimulationEvidence.SignedLength + SimulationEvidence.SignatureLength;
        int keyLength = BinaryPrimitives.ReadUInt16LittleEndian(evidence.AsSpan(first));
        var key = evidence.AsSpan(first + 2, keyLength).ToArray();
        int second = first + 2 + keyLength;
        var ca = evidence.AsSpan(second + 2).ToArray();
        if (random.Next(2) == 0)
        {
            key = DerMutations.Mutate(random, key);
        }
        else
        {
            ca = DerMutations.Mutate(random, ca);
        }

        var output = new byte[first + 2 + key.Length + 2 + ca.Length];
        evidence.AsSpan(0, first).CopyTo(output);
        BinaryPrimitives.WriteUInt16LittleEndian(output.AsSpan(first), (ushort)key.Length);
        key.CopyTo(output.AsSpan(first + 2));
        BinaryPrimitives.WriteUInt16LittleEndian(output.AsSpan(first + 2 + key.Length), (ushort)ca.Length);
        ca.CopyTo(output.AsSpan(first + 4 + key.Length));
        return output;
    }

    private void Report(FuzzSummary summary) => output.WriteLine(summary.ToString());
}
