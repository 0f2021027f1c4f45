namespace SecGear.CryptoModule.Client;

/// <summary>The module refused a request (its problem code and message), or could not be reached.</summary>
public sealed class CryptoModuleException : Exception
{
    /// <summary>Creates the exception.</summary>
    public CryptoModuleException(int statusCode, string code, string message, Exception? inner = null)
        : base(message, inner)
    {
        StatusCode = statusCode;
        Code = code;
    }

    /// <summary>The HTTP status (0 when the module was unreachable).</summary>
    public int StatusCode { get; }

    /// <summary>One of <see cref="CryptoModuleErrorCodes"/>, or <c>Unreachable</c> / <c>EnclaveNotTrusted</c>.</summary>
    public string Code { get; }
}
