using SecGear.Simulation;
using SecGear.Trusted.Platform;
using SecGear.Trusted.Sealing;

namespace SecGear.Trusted.Tests.Platform;

// The secret file's permission checks are POSIX modes; Windows relies on the profile directory ACL.
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class SimulatedPlatformTests : IDisposable
{
    private static readonly byte[] KeyId = new byte[SealKeyRequest.KeyIdLength];
    private readonly TestPlatforms _platforms = new();

    public void Dispose() => _platforms.Dispose();

    private static byte[] Key(SimulatedPlatform platform, SealPolicy policy = SealPolicy.Signer, ushort svn = 2)
    {
        var key = new byte[SealKeyRequest.KeyLength];
        platform.DeriveSealKey(new SealKeyRequest(policy, svn, KeyId), key);
        return key;
    }

    [Fact]
    public void First_use_creates_a_32_byte_secret_readable_only_by_its_owner()
    {
        Key(_platforms.Platform(TestPlatforms.Identity()));

        Assert.Equal(32, new FileInfo(_platforms.SecretPath).Length);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_platforms.SecretPath));
        Assert.Single(Directory.GetFiles(_platforms.Directory));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(_platforms.Directory));
    }

    [Fact]
    public void Changing_the_callers_identity_arrays_afterwards_does_not_change_the_platform_identity()
    {
        var measurement = (byte[])TestPlatforms.MeasurementA.Clone();
        var platform = _platforms.Platform(TestPlatforms.Identity(measurement: measurement));
        var before = Key(platform, SealPolicy.Enclave);
        measurement[0] ^= 0xFF;
        Assert.Equal(before, Key(platform, SealPolicy.Enclave));
        Assert.Equal(TestPlatforms.MeasurementA, platform.Identity.Measurement);
    }

    [Fact]
    public void The_secret_is_not_created_before_first_use()
    {
        _platforms.Platform(TestPlatforms.Identity());
        Assert.False(File.Exists(_platforms.SecretPath));
    }

    [Fact]
    public void The_same_secret_gives_the_same_key_across_platform_instances()
    {
        Assert.Equal(Key(_platforms.Platform(TestPlatforms.Identity())), Key(_platforms.Platform(TestPlatforms.Identity())));
    }

    [Fact]
    public void Concurrent_first_use_ends_with_one_secret()
    {
        const int racers = 16;
        using var start = new Barrier(racers);
        var platforms = Enumerable.Range(0, racers).Select(_ => _platforms.Platform(TestPlatforms.Identity())).ToArray();
        var keys = new byte[racers][];
        var threads = Enumerable.Range(0, racers).Select(i => new Thread(() =>
        {
            start.SignalAndWait();
            keys[i] = Key(platforms[i]);
        })).ToArray();
        foreach (var thread in threads)
        {
            thread.Start();
        }

        foreach (var thread in threads)
        {
            thread.Join();
        }

        Assert.All(keys, key => Assert.Equal(keys[0], key));
        Assert.Single(Directory.GetFiles(_platforms.Directory));
    }

    [Fact]
    public void Two_platform_secrets_never_give_the_same_key()
    {
        var other = Path.Combine(_platforms.Directory, "other.secret");
        Assert.NotEqual(Key(_platforms.Platform(TestPlatforms.Identity())), Key(_platforms.Platform(TestPlatforms.Identity(), other)));
    }

    [Fact]
    public void Keys_differ_by_policy_identity_svn_debug_and_key_id()
    {
        var keys = new[]
        {
            Key(_platforms.Platform(TestPlatforms.Identity())),
            Key(_platforms.Platform(TestPlatforms.Identity()), SealPolicy.Enclave),
            Key(_platforms.Platform(TestPlatforms.Identity()), svn: 1),
            Key(_platforms.Platform(TestPlatforms.Identity(debug: true))),
            Key(_platforms.Platform(TestPlatforms.Identity(productId: 2))),
            Key(_platforms.Platform(TestPlatforms.Identity(signer: TestPlatforms.SignerB))),
            Key(_platforms.Platform(TestPlatforms.Identity(measurement: TestPlatforms.MeasurementB)), SealPolicy.Enclave),
        };
        var otherKeyId = new byte[SealKeyRequest.KeyLength];
        var keyIdBytes = new byte[SealKeyRequest.KeyIdLength];
        keyIdBytes[0] = 1;
        _platforms.Platform(TestPlatforms.Identity()).DeriveSealKey(new SealKeyRequest(SealPolicy.Signer, 2, keyIdBytes), otherKeyId);

        Assert.Equal(keys.Length + 1, keys.Append(otherKeyId).Select(Convert.ToHexString).Distinct().Count());
    }

    [Fact]
    public void Signer_policy_key_does_not_depend_on_the_measurement()
    {
        Assert.Equal(
            Key(_platforms.Platform(TestPlatforms.Identity())),
            Key(_platforms.Platform(TestPlatforms.Identity(measurement: TestPlatforms.MeasurementB))));
    }

    [Fact]
    public void A_key_for_a_higher_security_version_is_refused()
    {
        Assert.Throws<ArgumentException>(() => Key(_platforms.Platform(TestPlatforms.Identity(svn: 2)), svn: 3));
    }

    [Fact]
    public void A_secret_readable_by_group_or_others_is_refused_with_a_clear_error()
    {
        Key(_platforms.Platform(TestPlatforms.Identity()));
        File.SetUnixFileMode(_platforms.SecretPath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);

        var ex = Assert.Throws<PlatformSecretException>(() => Key(_platforms.Platform(TestPlatforms.Identity())));
        Assert.Contains("0604", ex.Message, StringComparison.Ordinal);
        Assert.Contains("chmod 600", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(31)]
    [InlineData(4097)]
    public void A_secret_of_the_wrong_size_is_refused(int size)
    {
        Directory.CreateDirectory(_platforms.Directory);
        File.WriteAllBytes(_platforms.SecretPath, new byte[size]);
        File.SetUnixFileMode(_platforms.SecretPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var ex = Assert.Throws<PlatformSecretException>(() => Key(_platforms.Platform(TestPlatforms.Identity())));
        Assert.Contains($"{size} bytes", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_disposed_platform_derives_no_keys()
    {
        var platform = _platforms.Platform(TestPlatforms.Identity());
        Key(platform);
        platform.Dispose();
        Assert.Throws<ObjectDisposedException>(() => Key(platform));
    }

    [Fact]
    public void An_identity_with_malformed_hashes_is_rejected()
    {
        Assert.Throws<ArgumentException>(() => new SimulatedPlatform(new(new byte[31], TestPlatforms.SignerA, 1, 1, false)));
    }

    [Fact]
    public void The_default_secret_path_honours_the_environment_variable_then_the_home_directory()
    {
        var saved = Environment.GetEnvironmentVariable(SimulatedPlatformOptions.SecretPathVariable);
        try
        {
            Environment.SetEnvironmentVariable(SimulatedPlatformOptions.SecretPathVariable, _platforms.SecretPath);
            Assert.Equal(_platforms.SecretPath, new SimulatedPlatformOptions().SecretPath);
            Environment.SetEnvironmentVariable(SimulatedPlatformOptions.SecretPathVariable, null);
            Assert.Equal(
                Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".secgear", "simulation", "platform.secret"),
                SimulatedPlatformOptions.DefaultSecretPath);
        }
        finally
        {
            Environment.SetEnvironmentVariable(SimulatedPlatformOptions.SecretPathVariable, saved);
        }
    }
}
