using SecGear.Files;
using SecGear.Trusted.Platform;

namespace SecGear.Trusted.Tests.Platform;

public sealed class NoReplaceLinkTests : IDisposable
{
    private readonly TestPlatforms _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Publishing_never_replaces_an_existing_file()
    {
        Directory.CreateDirectory(_dir.Directory);
        var destination = Path.Combine(_dir.Directory, "secret");
        var first = Path.Combine(_dir.Directory, "first.tmp");
        var second = Path.Combine(_dir.Directory, "second.tmp");
        File.WriteAllText(first, "first");
        File.WriteAllText(second, "second");

        Assert.True(NoReplaceLink.TryPublish(first, destination));
        Assert.False(NoReplaceLink.TryPublish(second, destination));
        Assert.Equal("first", File.ReadAllText(destination));
    }

    [Fact]
    public void Publishing_into_a_missing_directory_is_an_IO_error()
    {
        var source = Path.Combine(_dir.Directory, "a.tmp");
        Directory.CreateDirectory(_dir.Directory);
        File.WriteAllText(source, "x");
        Assert.Throws<IOException>(() => NoReplaceLink.TryPublish(source, Path.Combine(_dir.Directory, "missing", "secret")));
    }
}
