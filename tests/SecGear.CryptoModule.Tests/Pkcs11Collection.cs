namespace SecGear.CryptoModule.Tests;

/// <summary>
/// The PKCS#11 tests share one module and one process environment (the library reads SECGEAR_PKCS11_* with getenv),
/// so they run in one collection: never in parallel with each other, never with two environments at once.
/// </summary>
[CollectionDefinition(Name)]
public sealed class Pkcs11Collection : ICollectionFixture<Pkcs11Fixture>
{
    public const string Name = "pkcs11";
}
