using SecGear.AttestationService;

namespace SecGear.AttestationService.Tests.Contracts;

public sealed class ResourcePathTests
{
    [Theory]
    [InlineData("app", "key", "v1.0")]
    [InlineData("a-b_c", "K", "0")]
    public void Validate_joins_good_segments(string repository, string type, string tag) =>
        Assert.Equal($"{repository}/{type}/{tag}", ResourcePath.Validate(repository, type, tag));

    [Theory]
    [InlineData("")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("a/b")]
    [InlineData("a%2Fb")]
    [InlineData("a b")]
    [InlineData("é")]
    public void Validate_refuses_segments_that_could_escape_or_confuse(string segment)
    {
        Assert.Throws<ArgumentException>(() => ResourcePath.Validate(segment, "key", "tag"));
        Assert.Throws<ArgumentException>(() => ResourcePath.Validate("app", segment, "tag"));
        Assert.Throws<ArgumentException>(() => ResourcePath.Validate("app", "key", segment));
    }

    [Fact]
    public void Validate_refuses_a_segment_over_64_characters() =>
        Assert.Throws<ArgumentException>(() => ResourcePath.Validate(new string('a', 65), "key", "tag"));
}
