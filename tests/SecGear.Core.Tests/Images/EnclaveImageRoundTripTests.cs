using System.Security.Cryptography;
using System.Text;
using SecGear.Images;

namespace SecGear.Core.Tests.Images;

public sealed class EnclaveImageRoundTripTests
{
    [Fact]
    public void Load_returns_manifest_files_and_identity_of_a_signed_image()
    {
        var builder = TestImages.Builder();
        var image = EnclaveImage.Load(builder.Sign(TestImages.KeyA));

        Assert.Equal(TestImages.Manifest(), image.Manifest);
        Assert.Equal(["Hello.Enclave.dll", "data/config.bin", "lib/Dependency.dll"], image.Files.Select(f => f.Path));
        Assert.Equal("a dependency with different content", Encoding.UTF8.GetString(image.Files[2].Content.Span));
        Assert.Equal(builder.ComputeMeasurement(), image.Identity.Measurement);
        Assert.Equal(SHA256.HashData(TestImages.KeyA.ExportSubjectPublicKeyInfo()), image.Identity.Signer);
        Assert.Equal((ushort)7, image.Identity.ProductId);
        Assert.Equal((ushort)3, image.Identity.SecurityVersion);
        Assert.False(image.Identity.Debug);
        Assert.Equal("Hello.Enclave.dll", image.EntryAssembly.Path);
        Assert.True(image.TryGetFile("data/config.bin", out var config));
        Assert.Equal(new byte[] { 0, 1, 2, 3, 255 }, config.Content.ToArray());
        Assert.False(image.TryGetFile("missing.dll", out _));
    }

    [Fact]
    public void Measurement_does_not_depend_on_insertion_order_or_signing_key()
    {
        var reversed = new EnclaveImageBuilder(TestImages.Manifest())
            .AddFile("lib/Dependency.dll", Encoding.UTF8.GetBytes("a dependency with different content"))
            .AddFile("data/config.bin", new byte[] { 0, 1, 2, 3, 255 })
            .AddFile("Hello.Enclave.dll", Encoding.UTF8.GetBytes("MZ pretend assembly bytes of the enclave"));

        var a = EnclaveImage.Load(TestImages.Builder().Sign(TestImages.KeyA));
        var b = EnclaveImage.Load(reversed.Sign(TestImages.KeyB));

        Assert.Equal(a.Identity.Measurement, b.Identity.Measurement);
        Assert.NotEqual(a.Identity.Signer, b.Identity.Signer);
    }

    [Fact]
    public void Measurement_changes_when_one_file_byte_or_one_manifest_field_changes()
    {
        var baseline = TestImages.Builder().ComputeMeasurement();
        var otherContent = new EnclaveImageBuilder(TestImages.Manifest())
            .AddFile("Hello.Enclave.dll", Encoding.UTF8.GetBytes("MZ pretend assembly bytes of the enclavf"))
            .AddFile("lib/Dependency.dll", Encoding.UTF8.GetBytes("a dependency with different content"))
            .AddFile("data/config.bin", new byte[] { 0, 1, 2, 3, 255 })
            .ComputeMeasurement();
        var otherSvn = TestImages.Builder(TestImages.Manifest() with { SecurityVersion = 4 }).ComputeMeasurement();
        var otherHeap = TestImages.Builder(TestImages.Manifest() with { HeapLimit = 1 }).ComputeMeasurement();

        Assert.Equal(4, new[] { baseline, otherContent, otherSvn, otherHeap }.Select(Convert.ToHexString).Distinct().Count());
    }

    [Fact]
    public void Two_step_signing_accepts_a_DER_signature_made_elsewhere_over_the_digest()
    {
        var builder = TestImages.Builder();
        var digest = builder.ComputeSigningDigest();
        Assert.Equal(48, digest.Length);
        var der = TestImages.KeyB.SignHash(digest, DSASignatureFormat.Rfc3279DerSequence);

        var image = EnclaveImage.Load(builder.ImportSignature(TestImages.KeyB.ExportSubjectPublicKeyInfo(), der));

        Assert.Equal(SHA256.HashData(TestImages.KeyB.ExportSubjectPublicKeyInfo()), image.Identity.Signer);
        Assert.Equal(builder.ComputeMeasurement(), image.Identity.Measurement);
    }

    [Fact]
    public void Two_step_signing_rejects_a_signature_from_another_key()
    {
        var builder = TestImages.Builder();
        var signature = TestImages.KeyA.SignHash(builder.ComputeSigningDigest());

        var ex = Assert.Throws<EnclaveImageException>(() => builder.ImportSignature(TestImages.KeyB.ExportSubjectPublicKeyInfo(), signature));
        Assert.Equal(EnclaveImageFailureCode.SignatureInvalid, ex.Reason);
    }

    [Fact]
    public void Two_step_signing_rejects_a_signature_over_another_digest()
    {
        var builder = TestImages.Builder();
        var other = TestImages.Builder(TestImages.Manifest() with { Debug = true });
        var signature = TestImages.KeyA.SignHash(other.ComputeSigningDigest());

        var ex = Assert.Throws<EnclaveImageException>(() => builder.ImportSignature(TestImages.KeyA.ExportSubjectPublicKeyInfo(), signature));
        Assert.Equal(EnclaveImageFailureCode.SignatureInvalid, ex.Reason);
    }

    [Fact]
    public void Signing_rejects_a_key_on_another_curve()
    {
        using var p256 = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        Assert.Throws<ArgumentException>(() => TestImages.Builder().Sign(p256));
        var ex = Assert.Throws<EnclaveImageException>(() => TestImages.Builder().ImportSignature(p256.ExportSubjectPublicKeyInfo(), new byte[64]));
        Assert.Equal(EnclaveImageFailureCode.InvalidPublicKey, ex.Reason);
    }

    [Theory]
    [InlineData("")]
    [InlineData("/etc/passwd")]
    [InlineData("../escape.dll")]
    [InlineData("a/../b.dll")]
    [InlineData("a/./b.dll")]
    [InlineData("a//b.dll")]
    [InlineData("dir\\file.dll")]
    [InlineData("C:file.dll")]
    [InlineData("new\nline.dll")]
    [InlineData("trailing/")]
    public void Builder_rejects_unsafe_paths(string path)
    {
        Assert.Throws<ArgumentException>(() => new EnclaveImageBuilder(TestImages.Manifest()).AddFile(path, new byte[] { 1 }));
    }

    [Fact]
    public void Builder_rejects_a_duplicate_path()
    {
        var builder = new EnclaveImageBuilder(TestImages.Manifest()).AddFile("a.dll", new byte[] { 1 });
        Assert.Throws<ArgumentException>(() => builder.AddFile("a.dll", new byte[] { 2 }));
    }

    [Fact]
    public void Builder_refuses_to_sign_without_the_entry_assembly()
    {
        var builder = new EnclaveImageBuilder(TestImages.Manifest()).AddFile("other.dll", new byte[] { 1 });
        Assert.Throws<InvalidOperationException>(() => builder.Sign(TestImages.KeyA));
    }

    [Theory]
    [InlineData(0, 1L)]
    [InlineData(4097, 1L)]
    [InlineData(1, 0L)]
    [InlineData(1, (1L << 40) + 1)]
    public void Builder_rejects_out_of_range_manifest_values(int maxThreads, long heapLimit)
    {
        var manifest = TestImages.Manifest() with { MaxThreads = maxThreads, HeapLimit = heapLimit };
        Assert.Throws<ArgumentException>(() => new EnclaveImageBuilder(manifest));
    }

    [Fact]
    public void Load_from_a_missing_file_is_unreadable()
    {
        var ex = Assert.Throws<EnclaveImageException>(() => EnclaveImage.Load(Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N"), "x.sgimage")));
        Assert.Equal(EnclaveImageFailureCode.Unreadable, ex.Reason);
        Assert.Equal(EnclaveStatus.InvalidImage, ex.Status);
    }

    [Fact]
    public void Load_from_a_file_matches_load_from_bytes()
    {
        var bytes = TestImages.Signed();
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(path, bytes);
            Assert.Equal(EnclaveImage.Load(bytes).Identity.Measurement, EnclaveImage.Load(path).Identity.Measurement);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("bad\\u0001name")]
    [InlineData("lone\\ud800surrogate")]
    public void Builder_rejects_an_empty_or_malformed_name(string name)
    {
        var ex = Assert.Throws<ArgumentException>(() => new EnclaveImageBuilder(TestImages.Manifest() with { Name = System.Text.RegularExpressions.Regex.Unescape(name) }));
        Assert.Contains("name", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Builder_rejects_a_name_longer_than_the_limit()
    {
        Assert.Throws<ArgumentException>(() => new EnclaveImageBuilder(TestImages.Manifest() with { Name = new string('n', EnclaveImageLimits.MaxNameBytes + 1) }));
        Assert.NotNull(new EnclaveImageBuilder(TestImages.Manifest() with { Name = new string('n', EnclaveImageLimits.MaxNameBytes) }));
    }

    [Fact]
    public void Load_of_a_directory_is_unreadable()
    {
        var ex = Assert.Throws<EnclaveImageException>(() => EnclaveImage.Load(Path.GetTempPath()));
        Assert.Equal(EnclaveImageFailureCode.Unreadable, ex.Reason);
    }

    [Fact]
    public void Load_of_a_file_above_the_size_limit_fails_before_reading_it()
    {
        var path = Path.GetTempFileName();
        try
        {
            using (var stream = new FileStream(path, FileMode.Open, FileAccess.Write))
            {
                stream.SetLength(EnclaveImageLimits.MaxImageBytes + 1);
            }

            var ex = Assert.Throws<EnclaveImageException>(() => EnclaveImage.Load(path));
            Assert.Equal(EnclaveImageFailureCode.TooLarge, ex.Reason);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
