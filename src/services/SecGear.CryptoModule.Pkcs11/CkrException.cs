namespace SecGear.CryptoModule.Pkcs11;

/// <summary>A PKCS#11 refusal: the CK_RV to return.</summary>
internal sealed class CkrException(ulong rv, string message) : Exception(message)
{
    public ulong Rv { get; } = rv;
}
