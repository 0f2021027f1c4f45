namespace SecGear.CryptoModule.Tests;

/// <summary>A fact that needs the published PKCS#11 library (and pkcs11-tool when <see cref="NeedsTool"/>): skipped with the reason otherwise.</summary>
public sealed class Pkcs11FactAttribute : FactAttribute
{
    public Pkcs11FactAttribute(bool needsTool = true)
    {
        NeedsTool = needsTool;
        if (Pkcs11Fixture.MissingReason(needsTool) is { } reason)
        {
            Skip = reason;
        }
    }

    public bool NeedsTool { get; }
}
