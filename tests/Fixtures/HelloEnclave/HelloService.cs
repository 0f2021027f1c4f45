using HelloEnclave.Dependency;
using SecGear.Trusted;

namespace HelloEnclave;

/// <summary>Enclave code of the build fixture: uses the dependency and the trusted runtime.</summary>
public static class HelloService
{
    /// <summary>A greeting with a random suffix from the trusted runtime.</summary>
    public static string Greet() => $"{Greeting.Text} #{Convert.ToHexString(TrustedRandom.GetBytes(2))}";
}
