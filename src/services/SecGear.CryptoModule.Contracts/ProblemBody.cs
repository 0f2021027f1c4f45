namespace SecGear.CryptoModule;

/// <summary>The fields of an RFC 9457 problem the service answers (as the client reads them).</summary>
/// <param name="Type">A URI naming the problem type.</param>
/// <param name="Title">A short summary.</param>
/// <param name="Status">The HTTP status.</param>
/// <param name="Detail">What failed, naming the check (never a secret).</param>
/// <param name="Code">One of <see cref="CryptoModuleErrorCodes"/>.</param>
public sealed record ProblemBody(string? Type, string? Title, int? Status, string? Detail, string? Code);
