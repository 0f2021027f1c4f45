namespace SecGear.CryptoModule.Binary;

/// <summary>
/// The answer to one <see cref="BinaryOperation"/>: the two results and the key version that produced them, or the
/// same refusal (HTTP status, problem code, detail) the JSON API answers.
/// </summary>
public sealed record BinaryResult
{
    /// <summary>Whether the operation succeeded.</summary>
    public bool Ok => Code is null;

    /// <summary>The key version used.</summary>
    public uint Version { get; init; }

    /// <summary>The signature, ciphertext, plaintext, MAC, or [1]/[0] for a verification.</summary>
    public ReadOnlyMemory<byte> First { get; init; }

    /// <summary>The second result (the generated IV of an encryption; otherwise empty).</summary>
    public ReadOnlyMemory<byte> Second { get; init; }

    /// <summary>The HTTP status the JSON API would have answered for a refusal.</summary>
    public int Status { get; init; }

    /// <summary>The problem code of a refusal (<see cref="CryptoModuleErrorCodes"/>), null on success.</summary>
    public string? Code { get; init; }

    /// <summary>The refusal's detail (names the failed check, never a secret).</summary>
    public string? Detail { get; init; }

    /// <summary>A refusal.</summary>
    public static BinaryResult Refused(int status, string code, string detail) => new() { Status = status, Code = code, Detail = detail };
}
