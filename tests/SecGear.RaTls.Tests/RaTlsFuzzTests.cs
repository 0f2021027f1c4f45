using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace SecGear.RaTls.Tests;

public sealed class RaTlsFuzzTests(EnclaveMachineFixture fixture) : IClassFixture<EnclaveMachineFixture>
{
    [Fact]
    public void Validate_never_throws_and_never_accepts_a_certificate_with_a_flipped_byte()
    {
        using var certificate = RaTlsCertificate.Create(fixture.Machine.Evidence);
        var validator = new RaTlsValidator(fixture.Machine.Verifier, fixture.Machine.Policy);
        var random = new Random(7);
        var original = certificate.RawData;
        int loaded = 0;
        for (int i = 0; i < 300; i++)
        {
            var der = (byte[])original.Clone();
            der[random.Next(der.Length)] ^= (byte)(1 << random.Next(8));
            X509Certificate2 mutated;
            try
            {
                mutated = X509CertificateLoader.LoadCertificate(der);
            }
            catch (CryptographicException)
            {
                continue; // SslStream never hands over a certificate that does not decode
            }

            using (mutated)
            {
                loaded++;
                Assert.False(validator.Validate(mutated).Succeeded, $"byte flip {i} was accepted");
            }
        }

        Assert.True(loaded > 100, $"only {loaded} mutations decoded");
    }

    [Fact]
    public void Reading_random_extension_values_never_throws()
    {
        var random = new Random(11);
        for (int i = 0; i < 2000; i++)
        {
            var value = new byte[random.Next(0, 64)];
            random.NextBytes(value);
            if (value.Length > 0 && random.Next(2) == 0)
            {
                value[0] = 0x30; // often a SEQUENCE, to get past the first tag
            }

            RaTlsEvidenceExtension.TryReadEvidence(value, out _, out _);
        }
    }
}
