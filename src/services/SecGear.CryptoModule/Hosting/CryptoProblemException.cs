namespace SecGear.CryptoModule.Hosting;

/// <summary>A refusal the service answers as a problem+json with <see cref="Code"/> (one of <see cref="CryptoModuleErrorCodes"/>).</summary>
public sealed class CryptoProblemException(int statusCode, string code, string message) : Exception(message)
{
    /// <summary>The HTTP status.</summary>
    public int StatusCode { get; } = statusCode;

    /// <summary>The problem code.</summary>
    public string Code { get; } = code;

    /// <summary>400 MalformedRequest.</summary>
    public static CryptoProblemException Malformed(string message) => new(StatusCodes.Status400BadRequest, CryptoModuleErrorCodes.MalformedRequest, message);
}
