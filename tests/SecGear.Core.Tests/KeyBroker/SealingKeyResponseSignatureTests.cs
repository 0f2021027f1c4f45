using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using SecGear.AttestationService;

namespace SecGear.Core.Tests.KeyBroker;

/// <summary>
/// The signed sealing-key response: a JWS by a pinned token-signing key over exactly this path, recipient key and
/// envelope is accepted; anything else is refused with a reason and never throws.
/// </summary>
public sealed class SealingKeyResponseSignatureTests : IDisposable
{
    private const string Path = "sealing-keys/enclave/3";

    private readonly ECDsa _serviceKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly ECDiffieHellman _recipient = ResourceEnvelope.CreateRecipientKey();
    private readonly byte[] _recipientKey;
    private readonly SealedResource _envelope;
    private readonly TokenSigningKeys _pinned;

    public SealingKeyResponseSignatureTests()
    {
        _recipientKey = ResourceEnvelope.ExportRuntimeData(_recipient);
        _envelope = ResourceEnvelope.Seal(_recipientKey, RandomNumberGenerator.GetBytes(32), Path);
        _pinned = TokenSigningKeys.FromJwks(Jwks(_serviceKey));
    }

    public void Dispose()
    {
        _serviceKey.Dispose();
        _recipient.Dispose();
        _pinned.Dispose();
    }

    [Fact]
    public void A_signature_by_the_pinned_key_over_this_response_verifies()
    {
        string signature = Sign(_serviceKey, SealingKeyResponseSignature.Payload(Path, _recipientKey, _envelope));

        Assert.True(SealingKeyResponseSignature.TryVerify(signature, Path, _recipientKey, _envelope, _pinned, out string? failure), failure);
    }

    [Fact]
    public void A_signature_for_another_path_recipient_or_envelope_is_refused()
    {
        string signature = Sign(_serviceKey, SealingKeyResponseSignature.Payload(Path, _recipientKey, _envelope));
        byte[] otherRecipient = ResourceEnvelope.ExportRuntimeData(ResourceEnvelope.CreateRecipientKey());
        byte[] flipped = (byte[])_envelope.Ciphertext.Clone();
        flipped[0] ^= 1;

        Assert.False(SealingKeyResponseSignature.TryVerify(signature, "sealing-keys/signer/3", _recipientKey, _envelope, _pinned, out string? path));
        Assert.Contains("another path", path, StringComparison.Ordinal);
        Assert.False(SealingKeyResponseSignature.TryVerify(signature, Path, otherRecipient, _envelope, _pinned, out string? recipient));
        Assert.Contains("another recipient key", recipient, StringComparison.Ordinal);
        Assert.False(SealingKeyResponseSignature.TryVerify(signature, Path, _recipientKey, _envelope with { Ciphertext = flipped }, _pinned, out string? envelope));
        Assert.Contains("another envelope", envelope, StringComparison.Ordinal);
    }

    [Fact]
    public void A_signature_by_a_key_that_is_not_pinned_is_refused_even_when_it_names_a_pinned_kid()
    {
        using var impostor = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        string payload = SealingKeyResponseSignature.Payload(Path, _recipientKey, _envelope);

        Assert.False(SealingKeyResponseSignature.TryVerify(Sign(impostor, payload), Path, _recipientKey, _envelope, _pinned, out string? unknown));
        Assert.Contains("not one of the pinned", unknown, StringComparison.Ordinal);
        Assert.False(SealingKeyResponseSignature.TryVerify(Sign(impostor, payload, kidOf: _serviceKey), Path, _recipientKey, _envelope, _pinned, out string? forged));
        Assert.Contains("does not verify", forged, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("a.b")]
    [InlineData("a.b.c.d")]
    [InlineData("!!!.???.***")]
    [InlineData("e30.e30.AAAA")]
    public void A_malformed_signature_is_refused_without_throwing(string? signature)
    {
        Assert.False(SealingKeyResponseSignature.TryVerify(signature, Path, _recipientKey, _envelope, _pinned, out string? failure));
        Assert.False(string.IsNullOrEmpty(failure));
    }

    [Fact]
    public void An_unsigned_alg_none_token_is_refused()
    {
        string header = Base64Url.EncodeToString("""{"alg":"none"}"""u8);
        string body = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(SealingKeyResponseSignature.Payload(Path, _recipientKey, _envelope)));

        Assert.False(SealingKeyResponseSignature.TryVerify($"{header}.{body}.", Path, _recipientKey, _envelope, _pinned, out string? failure));
        Assert.Contains("'none'", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Pinned_keys_must_be_ec_p256_with_their_own_digest_as_kid()
    {
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        string mislabelled = Encoding.UTF8.GetString(Jwks(_serviceKey)).Replace("\"kid\":\"", "\"kid\":\"A", StringComparison.Ordinal);

        Assert.Throws<FormatException>(() => TokenSigningKeys.FromJwks("""{"keys":[]}"""u8));
        Assert.Throws<FormatException>(() => TokenSigningKeys.FromJwks("""{"keys":[{"kty":"RSA","n":"AQAB","e":"AQAB"}]}"""u8));
        Assert.Throws<FormatException>(() => TokenSigningKeys.FromJwks("not json"u8));
        Assert.Throws<FormatException>(() => TokenSigningKeys.FromJwks(Encoding.UTF8.GetBytes(mislabelled)));
        var offCurve = Encoding.UTF8.GetBytes($$"""{"keys":[{"kty":"EC","crv":"P-256","x":"{{Base64Url.EncodeToString(new byte[32])}}","y":"{{Base64Url.EncodeToString(new byte[32])}}"}]}""");
        Assert.Throws<FormatException>(() => TokenSigningKeys.FromJwks(offCurve));
        using var pinned = TokenSigningKeys.FromJwks(Jwks(_serviceKey));
        Assert.Equal([Kid(_serviceKey)], pinned.KeyIds);
    }

    private static string Kid(ECDsa key) => Base64Url.EncodeToString(SHA256.HashData(key.ExportSubjectPublicKeyInfo()));

    private static byte[] Jwks(ECDsa key)
    {
        var q = key.ExportParameters(false).Q;
        return Encoding.UTF8.GetBytes(
            $$"""{"keys":[{"kty":"EC","crv":"P-256","x":"{{Base64Url.EncodeToString(q.X)}}","y":"{{Base64Url.EncodeToString(q.Y)}}","kid":"{{Kid(key)}}"}]}""");
    }

    /// <summary>A compact ES256 JWS of <paramref name="payload"/> by <paramref name="key"/>, naming the kid of <paramref name="kidOf"/> (default: the key's own).</summary>
    private static string Sign(ECDsa key, string payload, ECDsa? kidOf = null)
    {
        string input = Base64Url.EncodeToString(Encoding.UTF8.GetBytes($$"""{"alg":"ES256","kid":"{{Kid(kidOf ?? key)}}"}"""))
            + "." + Base64Url.EncodeToString(Encoding.UTF8.GetBytes(payload));
        return input + "." + Base64Url.EncodeToString(key.SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
    }
}
