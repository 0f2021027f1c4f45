using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using SecGear.AttestationService;

namespace SecGear.AttestationService.Tests.Contracts;

public sealed class ResourceEnvelopeTests
{
    private const string Path = "app/key/db";

    [Fact]
    public void Open_returns_the_secret_sealed_to_the_recipient()
    {
        using var recipient = ResourceEnvelope.CreateRecipientKey();
        byte[] secret = Encoding.UTF8.GetBytes("database master key");

        var sealedResource = ResourceEnvelope.Seal(ResourceEnvelope.ExportRuntimeData(recipient), secret, Path);

        Assert.Equal(ResourceEnvelope.Algorithm, sealedResource.Algorithm);
        Assert.Equal(secret, ResourceEnvelope.Open(recipient, sealedResource, Path));
        Assert.DoesNotContain("database", Encoding.UTF8.GetString(sealedResource.Ciphertext), StringComparison.Ordinal);
    }

    [Fact]
    public void Open_survives_a_json_round_trip_and_seals_empty_and_largest_secrets()
    {
        using var recipient = ResourceEnvelope.CreateRecipientKey();
        foreach (int length in new[] { 0, 1, ResourceEnvelope.MaxSecretLength })
        {
            byte[] secret = RandomNumberGenerator.GetBytes(length);
            var sealedResource = ResourceEnvelope.Seal(ResourceEnvelope.ExportRuntimeData(recipient), secret, Path);
            string json = JsonSerializer.Serialize(sealedResource, AttestationServiceJson.Options);
            var back = JsonSerializer.Deserialize<SealedResource>(json, AttestationServiceJson.Options)!;
            Assert.Equal(secret, ResourceEnvelope.Open(recipient, back, Path));
        }
    }

    [Fact]
    public void Seal_refuses_a_secret_over_the_limit()
    {
        using var recipient = ResourceEnvelope.CreateRecipientKey();
        Assert.Throws<ArgumentException>(() =>
            ResourceEnvelope.Seal(ResourceEnvelope.ExportRuntimeData(recipient), new byte[ResourceEnvelope.MaxSecretLength + 1], Path));
    }

    [Fact]
    public void Open_fails_for_another_recipient_or_another_path()
    {
        using var recipient = ResourceEnvelope.CreateRecipientKey();
        using var other = ResourceEnvelope.CreateRecipientKey();
        var sealedResource = ResourceEnvelope.Seal(ResourceEnvelope.ExportRuntimeData(recipient), [1, 2, 3], Path);

        Assert.ThrowsAny<CryptographicException>(() => ResourceEnvelope.Open(other, sealedResource, Path));
        Assert.ThrowsAny<CryptographicException>(() => ResourceEnvelope.Open(recipient, sealedResource, "app/key/other"));
    }

    [Fact]
    public void Open_fails_when_any_bit_of_nonce_ciphertext_tag_or_key_flips()
    {
        using var recipient = ResourceEnvelope.CreateRecipientKey();
        var original = ResourceEnvelope.Seal(ResourceEnvelope.ExportRuntimeData(recipient), Encoding.UTF8.GetBytes("secret"), Path);
        Func<SealedResource, byte[]>[] fields = [r => r.Nonce, r => r.Ciphertext, r => r.Tag, r => r.EphemeralKey];
        foreach (var field in fields)
        {
            int length = field(original).Length;
            for (int bit = 0; bit < length * 8; bit++)
            {
                var copy = original with
                {
                    Nonce = (byte[])original.Nonce.Clone(),
                    Ciphertext = (byte[])original.Ciphertext.Clone(),
                    Tag = (byte[])original.Tag.Clone(),
                    EphemeralKey = (byte[])original.EphemeralKey.Clone(),
                };
                field(copy)[bit / 8] ^= (byte)(1 << (bit % 8));
                Assert.ThrowsAny<CryptographicException>(() => ResourceEnvelope.Open(recipient, copy, Path));
            }
        }
    }

    [Fact]
    public void Open_rejects_malformed_envelopes_with_a_cryptographic_error()
    {
        using var recipient = ResourceEnvelope.CreateRecipientKey();
        var good = ResourceEnvelope.Seal(ResourceEnvelope.ExportRuntimeData(recipient), [7], Path);
        using var p384 = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP384);
        SealedResource[] bad =
        [
            good with { Algorithm = "A128GCM" },
            good with { Nonce = [] },
            good with { Tag = new byte[15] },
            good with { EphemeralKey = [] },
            good with { EphemeralKey = [.. good.EphemeralKey, 0] },
            good with { EphemeralKey = p384.ExportSubjectPublicKeyInfo() },
            good with { Ciphertext = new byte[ResourceEnvelope.MaxSecretLength + 1] },
        ];
        foreach (var envelope in bad)
        {
            Assert.ThrowsAny<CryptographicException>(() => ResourceEnvelope.Open(recipient, envelope, Path));
        }
    }

    [Fact]
    public void Seal_rejects_a_recipient_key_that_is_not_p256()
    {
        using var p384 = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP384);
        Assert.ThrowsAny<CryptographicException>(() => ResourceEnvelope.Seal(p384.ExportSubjectPublicKeyInfo(), [1], Path));
        Assert.ThrowsAny<CryptographicException>(() => ResourceEnvelope.Seal([0x30, 0x03, 0x02, 0x01, 0x00], [1], Path));
    }
}
