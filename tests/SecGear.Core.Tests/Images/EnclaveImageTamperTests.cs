using System.Buffers.Binary;
using System.Text;
using SecGear.Images;

namespace SecGear.Core.Tests.Images;

public sealed class EnclaveImageTamperTests
{
    private const int SignatureBlockSize = 2 + 2 + 120 + 2 + 96;

    private static EnclaveImageFailureCode Reject(byte[] image) => Assert.Throws<EnclaveImageException>(() => EnclaveImage.Load(image)).Reason;

    [Fact]
    public void Every_single_bit_flip_anywhere_in_the_image_is_rejected()
    {
        var image = TestImages.Signed();
        for (int i = 0; i < image.Length; i++)
        {
            foreach (byte bit in new byte[] { 0x01, 0x80 })
            {
                var copy = (byte[])image.Clone();
                copy[i] ^= bit;
                var ex = Record.Exception(() => EnclaveImage.Load(copy));
                Assert.True(ex is EnclaveImageException, $"flip 0x{bit:x2} at offset {i} of {image.Length}: {ex?.GetType().Name ?? "accepted"}");
            }
        }
    }

    [Theory]
    [InlineData(0, EnclaveImageFailureCode.BadMagic)]
    [InlineData(7, EnclaveImageFailureCode.BadMagic)]
    [InlineData(8, EnclaveImageFailureCode.UnsupportedVersion)]
    [InlineData(9, EnclaveImageFailureCode.UnsupportedVersion)]
    [InlineData(10, EnclaveImageFailureCode.UnsupportedFlags)]
    [InlineData(11, EnclaveImageFailureCode.UnsupportedFlags)]
    public void Header_flips_give_the_header_reason(int offset, EnclaveImageFailureCode expected)
    {
        var image = TestImages.Signed();
        image[offset] ^= 0x04;
        Assert.Equal(expected, Reject(image));
    }

    [Fact]
    public void Flips_in_file_content_are_measurement_mismatches()
    {
        var image = TestImages.Signed();
        int start = TestImages.Find(image, "MZ pretend assembly");
        foreach (int offset in new[] { start, start + 10, TestImages.Find(image, "a dependency with") + 5 })
        {
            var copy = (byte[])image.Clone();
            copy[offset] ^= 0x20;
            Assert.Equal(EnclaveImageFailureCode.MeasurementMismatch, Reject(copy));
        }
    }

    [Fact]
    public void Flips_in_the_signature_or_the_manifest_values_are_signature_failures()
    {
        var image = TestImages.Signed();
        foreach (int offset in new[] { image.Length - 1, image.Length - 48, image.Length - 96 })
        {
            var copy = (byte[])image.Clone();
            copy[offset] ^= 0x01;
            Assert.Equal(EnclaveImageFailureCode.SignatureInvalid, Reject(copy));
        }

        var renamed = (byte[])image.Clone();
        renamed[TestImages.Find(renamed, "hello")] = (byte)'j';
        Assert.Equal(EnclaveImageFailureCode.SignatureInvalid, Reject(renamed));
    }

    [Fact]
    public void Truncation_at_every_length_is_rejected_as_truncated()
    {
        var image = TestImages.Signed();
        for (int length = 0; length < image.Length; length++)
        {
            var ex = Assert.Throws<EnclaveImageException>(() => EnclaveImage.Load(image.AsSpan(0, length)));
            Assert.True(ex.Reason == EnclaveImageFailureCode.Truncated, $"length {length}: {ex.Reason}");
        }
    }

    [Fact]
    public void A_byte_after_the_signature_block_is_trailing_data()
    {
        var image = TestImages.Signed();
        Assert.Equal(EnclaveImageFailureCode.TrailingData, Reject([.. image, 0]));
    }

    [Fact]
    public void Another_signers_public_key_in_the_signature_block_fails_verification()
    {
        var image = TestImages.Signed();
        var spkiB = TestImages.KeyB.ExportSubjectPublicKeyInfo();
        Assert.Equal(120, spkiB.Length);
        spkiB.CopyTo(image, image.Length - SignatureBlockSize + 4);
        Assert.Equal(EnclaveImageFailureCode.SignatureInvalid, Reject(image));
    }

    [Fact]
    public void An_unknown_signature_algorithm_is_rejected()
    {
        var image = TestImages.Signed();
        image[image.Length - SignatureBlockSize] = 2;
        Assert.Equal(EnclaveImageFailureCode.UnsupportedSignatureAlgorithm, Reject(image));
    }

    [Fact]
    public void An_unknown_manifest_field_is_rejected()
    {
        var image = TestImages.Signed();
        int manifestLength = (int)BinaryPrimitives.ReadUInt32LittleEndian(image.AsSpan(12));
        byte[] unknownField = [8, 0, 1, 0, 42];
        byte[] patched = [.. image.AsSpan(0, 20 + manifestLength), .. unknownField, .. image.AsSpan(20 + manifestLength)];
        BinaryPrimitives.WriteUInt32LittleEndian(patched.AsSpan(12), (uint)(manifestLength + unknownField.Length));

        var ex = Assert.Throws<EnclaveImageException>(() => EnclaveImage.Load(patched));
        Assert.Equal(EnclaveImageFailureCode.InvalidManifest, ex.Reason);
        Assert.Contains("unknown field tag 8", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_debug_flag_other_than_zero_or_one_is_rejected()
    {
        var image = TestImages.Signed();
        int at = 20;
        while (BinaryPrimitives.ReadUInt16LittleEndian(image.AsSpan(at)) != 4)
        {
            at += 4 + BinaryPrimitives.ReadUInt16LittleEndian(image.AsSpan(at + 2));
        }

        image[at + 4] = 2;
        Assert.Equal(EnclaveImageFailureCode.InvalidManifest, Reject(image));
    }

    [Theory]
    [InlineData("lib", "../")]
    [InlineData("lib", "/ib")]
    [InlineData("lib", "l\\b")]
    [InlineData("lib", "l\0b")]
    public void Unsafe_paths_in_the_file_table_are_rejected(string original, string replacement)
    {
        var image = TestImages.Signed();
        Encoding.UTF8.GetBytes(replacement).CopyTo(image, TestImages.Find(image, original + "/Dependency.dll"));
        Assert.Equal(EnclaveImageFailureCode.InvalidPath, Reject(image));
    }

    [Theory]
    [InlineData("x1.dll")]
    [InlineData("x0.dll")]
    public void Duplicate_or_unsorted_paths_in_the_file_table_are_rejected(string replacement)
    {
        var image = new EnclaveImageBuilder(TestImages.Manifest())
            .AddFile("Hello.Enclave.dll", new byte[] { 1 })
            .AddFile("x1.dll", new byte[] { 2 })
            .AddFile("x2.dll", new byte[] { 3 })
            .Sign(TestImages.KeyA);
        Encoding.UTF8.GetBytes(replacement).CopyTo(image, TestImages.Find(image, "x2.dll"));
        Assert.Equal(EnclaveImageFailureCode.DuplicatePath, Reject(image));
    }

    [Theory]
    [InlineData(12, 0xFFFFFFFFu, EnclaveImageFailureCode.TooLarge)]
    [InlineData(16, 0xFFFFFFFFu, EnclaveImageFailureCode.TooLarge)]
    [InlineData(16, 0u, EnclaveImageFailureCode.InvalidManifest)]
    public void Oversized_or_empty_declared_counts_are_rejected_before_allocation(int offset, uint value, EnclaveImageFailureCode expected)
    {
        var image = TestImages.Signed();
        BinaryPrimitives.WriteUInt32LittleEndian(image.AsSpan(offset), value);
        Assert.Equal(expected, Reject(image));
    }

    [Fact]
    public void A_file_length_beyond_the_image_is_truncated()
    {
        var image = TestImages.Signed();
        int lengthOffset = TestImages.Find(image, "Hello.Enclave.dll", 1) + "Hello.Enclave.dll".Length;
        BinaryPrimitives.WriteUInt64LittleEndian(image.AsSpan(lengthOffset), ulong.MaxValue);
        Assert.Equal(EnclaveImageFailureCode.Truncated, Reject(image));
    }

    [Fact]
    public void Replacing_a_file_and_its_recorded_hash_consistently_still_fails_the_signature()
    {
        var image = TestImages.Signed();
        byte[] original = [0, 1, 2, 3, 255];
        byte[] replacement = [9, 9, 9, 9, 9];
        int content = image.AsSpan().LastIndexOf(original);
        replacement.CopyTo(image, content);
        int hashOffset = TestImages.Find(image, "data/config.bin") + "data/config.bin".Length + 8;
        System.Security.Cryptography.SHA256.HashData(replacement).CopyTo(image, hashOffset);

        Assert.Equal(EnclaveImageFailureCode.SignatureInvalid, Reject(image));
    }

    [Fact]
    public void Loaded_content_does_not_change_when_the_source_buffer_changes_afterwards()
    {
        var bytes = TestImages.Signed();
        var image = EnclaveImage.Load(bytes);
        Array.Clear(bytes);
        Assert.Equal("MZ pretend assembly bytes of the enclave", Encoding.UTF8.GetString(image.EntryAssembly.Content.Span));
    }

    [Fact]
    public void Random_multi_byte_corruption_only_ever_gives_typed_errors()
    {
        var image = TestImages.Signed();
        var random = new Random(20261127);
        for (int round = 0; round < 2000; round++)
        {
            var copy = (byte[])image.Clone();
            int changes = random.Next(1, 8);
            for (int i = 0; i < changes; i++)
            {
                copy[random.Next(copy.Length)] = (byte)random.Next(256);
            }

            int length = random.Next(4) == 0 ? random.Next(copy.Length + 1) : copy.Length;
            var ex = Record.Exception(() => EnclaveImage.Load(copy.AsSpan(0, length)));
            Assert.True(
                ex is EnclaveImageException || (ex is null && length == image.Length && copy.AsSpan().SequenceEqual(image)),
                $"round {round}: {ex?.GetType().Name ?? "accepted a modified image"}");
        }
    }
}
