using System.Formats.Asn1;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using SecGear.Attestation;

namespace SecGear.RaTls.Tests;

public sealed class RaTlsValidatorTests(EnclaveMachineFixture fixture) : IClassFixture<EnclaveMachineFixture>
{
    private SimulatedMachine Machine => fixture.Machine;

    private RaTlsValidator Validator(TimeProvider? time = null) => new(Machine.Verifier, Machine.Policy, time);

    [Fact]
    public void Validate_accepts_a_fresh_certificate_and_ignores_chain_errors_for_it()
    {
        using var certificate = RaTlsCertificate.Create(Machine.Evidence);

        var result = Validator().Validate(certificate, SslPolicyErrors.RemoteCertificateChainErrors);

        Assert.True(result.Succeeded, result.Failure?.ToString());
        Assert.Equal(Machine.Identity.Measurement, result.Claims!.UniqueId.ToArray());
    }

    [Fact]
    public void Validate_refuses_a_missing_certificate()
    {
        var result = Validator().Validate(null, SslPolicyErrors.RemoteCertificateNotAvailable);

        Assert.Equal(RaTlsFailureCode.CertificateMissing, result.Failure!.Code);
    }

    [Fact]
    public void Validate_refuses_the_certificate_after_it_expires()
    {
        using var certificate = RaTlsCertificate.Create(Machine.Evidence);

        var result = Validator(new FixedTimeProvider(DateTimeOffset.UtcNow.AddDays(2))).Validate(certificate);

        Assert.Equal(RaTlsFailureCode.CertificateInvalid, result.Failure!.Code);
    }

    [Fact]
    public void Validate_refuses_the_certificate_before_it_is_valid()
    {
        using var certificate = RaTlsCertificate.Create(Machine.Evidence);

        var result = Validator(new FixedTimeProvider(DateTimeOffset.UtcNow.AddHours(-1))).Validate(certificate);

        Assert.Equal(RaTlsFailureCode.CertificateInvalid, result.Failure!.Code);
    }

    [Fact]
    public void Validate_refuses_a_certificate_whose_evidence_bytes_were_altered_after_signing()
    {
        using var certificate = RaTlsCertificate.Create(Machine.Evidence);
        var evidence = Certificates.EvidenceOf(certificate);
        var der = certificate.RawData;
        int at = der.AsSpan().IndexOf(evidence);
        Assert.True(at > 0);
        der[at + 20] ^= 0x80;
        using var altered = X509CertificateLoader.LoadCertificate(der);

        var result = Validator().Validate(altered);

        Assert.Equal(RaTlsFailureCode.CertificateInvalid, result.Failure!.Code);
        Assert.Contains("self-signature does not verify", result.Failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_refuses_a_certificate_issued_by_another_key()
    {
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(RaTlsEvidenceExtension.Create(Machine.Evidence(SHA256.HashData(key.ExportSubjectPublicKeyInfo()))));
        using var issued = request.Create(
            new X500DistinguishedName("CN=Some CA"), X509SignatureGenerator.CreateForECDsa(caKey), DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddDays(1), [1]);

        var result = Validator().Validate(issued);

        Assert.Equal(RaTlsFailureCode.CertificateInvalid, result.Failure!.Code);
        Assert.Contains("not self-signed", result.Failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_refuses_an_RSA_certificate_even_with_bound_evidence()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pss);
        request.CertificateExtensions.Add(RaTlsEvidenceExtension.Create(Machine.Evidence(SHA256.HashData(key.ExportSubjectPublicKeyInfo()))));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddDays(1));

        var result = Validator().Validate(certificate);

        Assert.Equal(RaTlsFailureCode.UnsupportedKey, result.Failure!.Code);
    }

    [Theory]
    [InlineData("04 01 00")]                   // an OCTET STRING, not the SEQUENCE
    [InlineData("30 06 02 01 02 04 01 00")]    // version 2
    [InlineData("30 05 02 01 01 04 00")]       // empty evidence
    [InlineData("30 06 02 01 01 04 01 00 00")] // a byte after the SEQUENCE
    [InlineData("30 06 02 01 01 04 05 00")]    // OCTET STRING longer than its SEQUENCE
    public void Validate_refuses_a_malformed_evidence_extension(string valueHex)
    {
        var value = Convert.FromHexString(valueHex.Replace(" ", string.Empty, StringComparison.Ordinal));
        using var certificate = Certificates.SelfSigned(request => request.CertificateExtensions.Add(new X509Extension(RaTlsEvidenceExtension.Oid, value, false)));

        var result = Validator().Validate(certificate);

        Assert.Equal(RaTlsFailureCode.ExtensionMalformed, result.Failure!.Code);
    }

    [Fact]
    public void Validate_refuses_evidence_of_an_unknown_format()
    {
        using var certificate = RaTlsCertificate.Create(_ => RandomNumberGenerator.GetBytes(300));

        var result = Validator().Validate(certificate);

        Assert.Equal(RaTlsFailureCode.EvidenceRejected, result.Failure!.Code);
        Assert.Equal(AttestationFailureCode.UnsupportedEvidenceFormat, result.Failure.Attestation!.Code);
        Assert.Null(result.Claims);
    }

    [Fact]
    public void Validate_refuses_evidence_from_an_untrusted_platform()
    {
        using var other = new SimulatedMachine(EnclaveMachineFixture.Identity);
        using var certificate = RaTlsCertificate.Create(other.Evidence);

        var result = Validator().Validate(certificate);

        Assert.Equal(RaTlsFailureCode.EvidenceRejected, result.Failure!.Code);
        Assert.Equal(AttestationFailureCode.RootNotTrusted, result.Failure.Attestation!.Code);
    }

    [Fact]
    public void Validate_refuses_evidence_whose_report_data_carries_extra_bytes_after_the_key_hash()
    {
        using var certificate = RaTlsCertificate.Create(reportData => Machine.Evidence([.. reportData, 1]));

        var result = Validator().Validate(certificate);

        Assert.Equal(RaTlsFailureCode.KeyBindingMismatch, result.Failure!.Code);
        Assert.NotNull(result.Claims);
    }

    [Fact]
    public void The_evidence_extension_round_trips_and_refuses_oversized_evidence()
    {
        var evidence = RandomNumberGenerator.GetBytes(1000);

        var extension = RaTlsEvidenceExtension.Create(evidence);

        Assert.False(extension.Critical);
        Assert.True(RaTlsEvidenceExtension.TryReadEvidence(extension.RawData, out var read, out _));
        Assert.Equal(evidence, read);
        Assert.Throws<ArgumentException>(() => RaTlsEvidenceExtension.Create(new byte[RaTlsEvidenceExtension.MaxEvidenceLength + 1]));
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteInteger(1);
            writer.WriteOctetString(new byte[RaTlsEvidenceExtension.MaxEvidenceLength + 1]);
        }

        Assert.False(RaTlsEvidenceExtension.TryReadEvidence(writer.Encode(), out _, out var error));
        Assert.Contains("1..65536", error, StringComparison.Ordinal);
    }
}
