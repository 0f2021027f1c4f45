using SecGear.EncryptedDb.Enclave;

namespace SecGear.EncryptedDb.Tests;

public sealed class FilterEvaluatorTests
{
    [Theory]
    [InlineData("fragile%", "fragile item", true)]
    [InlineData("fragile%", "a fragile item", false)]
    [InlineData("%door%", "deliver to back door", true)]
    [InlineData("A_a %", "Ada Lovelace", true)]
    [InlineData("A_a %", "Adda Lovelace", false)]
    [InlineData("100\\%", "100%", true)]
    [InlineData("100\\%", "1000", false)]
    [InlineData("a.c", "abc", false)]
    [InlineData("a.c", "a.c", true)]
    [InlineData("x", "x\n", false)]
    [InlineData("%", "", true)]
    [InlineData("ABC", "abc", false)]
    public void Like_follows_postgresql(string pattern, string value, bool matches)
    {
        Assert.Equal(matches, new LikePattern(pattern).IsMatch(value));
    }

    [Fact]
    public void Like_pattern_ending_in_the_escape_character_is_refused()
    {
        Assert.Equal(EncryptedDbFailureCode.InvalidQuery, Assert.Throws<EncryptedDbException>(() => new LikePattern("abc\\")).Code);
    }
}
