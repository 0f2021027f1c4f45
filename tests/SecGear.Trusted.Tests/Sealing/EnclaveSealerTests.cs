using System.Buffers.Binary;
using SecGear.Trusted.Sealing;

namespace SecGear.Trusted.Tests.Sealing;

public sealed class EnclaveSealerTests : IDisposable
{
    private static readonly byte[] Secret = "the database master key: 0123456789abcdef"u8.ToArray();
    private static readonly byte[] Aad = "record-id=42"u8.ToArray();
    private readonly TestPlatforms _platforms = new();

    public void Dispose() => _platforms.Dispose();

    private EnclaveSealer Sealer(byte[]? measurement = null, byte[]? signer = null, ushort productId = 1, ushort svn = 2, bool debug = false, string? secretPath = null) =>
        new(_platforms.Platform(TestPlatforms.Identity(measurement, signer, productId, svn, debug), secretPath));

    private static UnsealFailureCode Refused(EnclaveSealer sealer, byte[] blob)
    {
        var ex = Assert.Throws<UnsealException>(() => sealer.Unseal(blob));
        Assert.Equal(EnclaveStatus.UnsealFailed, ex.Status);
        return ex.Reason;
    }

    [Theory]
    [InlineData(SealPolicy.Enclave)]
    [InlineData(SealPolicy.Signer)]
    public void Unseal_returns_the_plaintext_and_additional_data_that_were_sealed(SealPolicy policy)
    {
        var sealer = Sealer();
        var blob = sealer.Seal(Secret, Aad, policy);

        using var data = sealer.Unseal(blob);
        Assert.Equal(Secret, data.Plaintext);
        Assert.Equal(Aad, data.AdditionalData);
        Assert.Equal(EnclaveSealer.GetSealedSize(Secret.Length, Aad.Length), blob.Length);
        Assert.Equal(-1, blob.AsSpan().IndexOf(Secret.AsSpan(0, 16)));
    }

    [Fact]
    public void Empty_plaintext_and_no_additional_data_round_trip()
    {
        var sealer = Sealer();
        using var data = sealer.Unseal(sealer.Seal([]));
        Assert.Empty(data.Plaintext);
        Assert.Empty(data.AdditionalData);
    }

    [Fact]
    public void Sealing_twice_gives_different_blobs()
    {
        var sealer = Sealer();
        Assert.NotEqual(sealer.Seal(Secret), sealer.Seal(Secret));
    }

    [Fact]
    public void Unseal_fails_when_any_single_bit_of_the_blob_flips()
    {
        var sealer = Sealer();
        var blob = sealer.Seal(Secret, Aad);
        for (int i = 0; i < blob.Length; i++)
        {
            var copy = (byte[])blob.Clone();
            copy[i] ^= 0x01;
            var ex = Record.Exception(() => sealer.Unseal(copy));
            Assert.True(ex is UnsealException, $"flip at {i}: {ex?.GetType().Name ?? "accepted"}");
        }
    }

    [Fact]
    public void Unseal_fails_at_every_truncated_length()
    {
        var sealer = Sealer();
        var blob = sealer.Seal(Secret, Aad);
        for (int length = 0; length < blob.Length; length++)
        {
            Assert.Equal(UnsealFailureCode.Truncated, Refused(sealer, blob[..length]));
        }
    }

    [Fact]
    public void Unseal_rejects_trailing_bytes_bad_magic_version_policy_and_huge_lengths()
    {
        var sealer = Sealer();
        var blob = sealer.Seal(Secret, Aad);
        Assert.Equal(UnsealFailureCode.Malformed, Refused(sealer, [.. blob, 0]));

        var magic = (byte[])blob.Clone();
        magic[0] = (byte)'X';
        Assert.Equal(UnsealFailureCode.Malformed, Refused(sealer, magic));

        var version = (byte[])blob.Clone();
        version[4] = 2;
        Assert.Equal(UnsealFailureCode.UnsupportedVersion, Refused(sealer, version));

        var policy = (byte[])blob.Clone();
        policy[5] = 3;
        Assert.Equal(UnsealFailureCode.UnsupportedPolicy, Refused(sealer, policy));

        var huge = (byte[])blob.Clone();
        BinaryPrimitives.WriteUInt32LittleEndian(huge.AsSpan(12), uint.MaxValue);
        Assert.Equal(UnsealFailureCode.TooLarge, Refused(sealer, huge));
    }

    [Fact]
    public void Enclave_policy_blob_cannot_be_unsealed_by_another_enclave_of_the_same_signer()
    {
        var blob = Sealer().Seal(Secret, policy: SealPolicy.Enclave);
        Assert.Equal(UnsealFailureCode.AuthenticationFailed, Refused(Sealer(measurement: TestPlatforms.MeasurementB), blob));
    }

    [Fact]
    public void Signer_policy_blob_is_unsealed_by_another_build_of_the_same_signer_and_product()
    {
        var blob = Sealer().Seal(Secret, policy: SealPolicy.Signer);
        using var data = Sealer(measurement: TestPlatforms.MeasurementB).Unseal(blob);
        Assert.Equal(Secret, data.Plaintext);
    }

    [Fact]
    public void Signer_policy_blob_cannot_be_unsealed_by_another_signer_or_product()
    {
        var blob = Sealer().Seal(Secret);
        Assert.Equal(UnsealFailureCode.AuthenticationFailed, Refused(Sealer(signer: TestPlatforms.SignerB), blob));
        Assert.Equal(UnsealFailureCode.AuthenticationFailed, Refused(Sealer(productId: 9), blob));
    }

    [Fact]
    public void Signer_policy_blob_is_unsealed_by_a_newer_version_but_not_an_older_one()
    {
        var blob = Sealer(svn: 5).Seal(Secret);

        using var newer = Sealer(measurement: TestPlatforms.MeasurementB, svn: 6).Unseal(blob);
        Assert.Equal(Secret, newer.Plaintext);
        Assert.Equal(UnsealFailureCode.SecurityVersionTooLow, Refused(Sealer(svn: 4), blob));
    }

    [Fact]
    public void Lowering_the_recorded_security_version_does_not_let_an_older_enclave_unseal()
    {
        var blob = Sealer(svn: 5).Seal(Secret);
        BinaryPrimitives.WriteUInt16LittleEndian(blob.AsSpan(6), 4);
        Assert.Equal(UnsealFailureCode.AuthenticationFailed, Refused(Sealer(svn: 4), blob));
    }

    [Theory]
    [InlineData(SealPolicy.Enclave)]
    [InlineData(SealPolicy.Signer)]
    public void Debug_and_production_enclaves_do_not_share_sealing_keys(SealPolicy policy)
    {
        var blob = Sealer(debug: true).Seal(Secret, policy: policy);
        Assert.Equal(UnsealFailureCode.AuthenticationFailed, Refused(Sealer(debug: false), blob));
    }

    [Theory]
    [InlineData(SealPolicy.Enclave)]
    [InlineData(SealPolicy.Signer)]
    public void A_blob_from_another_platform_secret_fails_to_unseal(SealPolicy policy)
    {
        var blob = Sealer().Seal(Secret, policy: policy);
        var otherMachine = Path.Combine(_platforms.Directory, "other", "platform.secret");
        Assert.Equal(UnsealFailureCode.AuthenticationFailed, Refused(Sealer(secretPath: otherMachine), blob));
    }

    [Fact]
    public void Changing_the_additional_data_fails_authentication()
    {
        var sealer = Sealer();
        var blob = sealer.Seal(Secret, Aad);
        blob[EnclaveSealer.Overhead - 16] ^= 0x01;
        Assert.Equal(UnsealFailureCode.AuthenticationFailed, Refused(sealer, blob));
    }

    [Fact]
    public void TryUnseal_returns_false_instead_of_throwing()
    {
        var sealer = Sealer();
        Assert.False(sealer.TryUnseal(new byte[10], out var none));
        Assert.Null(none);
        Assert.True(sealer.TryUnseal(sealer.Seal(Secret), out var data));
        Assert.Equal(Secret, data.Plaintext);
    }

    [Fact]
    public void Sealed_size_limits_are_enforced()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => EnclaveSealer.GetSealedSize(EnclaveSealer.MaxDataLength + 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => EnclaveSealer.GetSealedSize(-1));
        Assert.Equal(EnclaveSealer.Overhead + 3, EnclaveSealer.GetSealedSize(1, 2));
    }

    [Fact]
    public void Disposing_unsealed_data_zeroes_the_plaintext()
    {
        var sealer = Sealer();
        var data = sealer.Unseal(sealer.Seal(Secret));
        data.Dispose();
        Assert.All(data.Plaintext, b => Assert.Equal(0, b));
    }

    [Fact]
    public void Random_multi_byte_corruption_never_yields_plaintext()
    {
        var sealer = Sealer();
        var blob = sealer.Seal(Secret, Aad);
        var random = new Random(20261127);
        for (int round = 0; round < 2000; round++)
        {
            var copy = (byte[])blob.Clone();
            int changes = random.Next(1, 6);
            for (int i = 0; i < changes; i++)
            {
                copy[random.Next(copy.Length)] = (byte)random.Next(256);
            }

            if (copy.AsSpan().SequenceEqual(blob))
            {
                continue;
            }

            var ex = Record.Exception(() => sealer.Unseal(copy));
            Assert.True(ex is UnsealException, $"round {round}: {ex?.GetType().Name ?? "unsealed a modified blob"}");
        }
    }
}
