namespace SecGear.Cli.Commands;

/// <summary>What <c>secgear service challenge --json</c> prints: the service's challenge plus the report data to attest with.</summary>
/// <param name="SessionId">The session to name in <c>secgear service attest --session</c>.</param>
/// <param name="Nonce">The nonce (base64 in JSON, as the service sends it).</param>
/// <param name="NonceHex">The nonce as hex, as the text form prints it.</param>
/// <param name="ExpiresAt">When the challenge expires.</param>
/// <param name="ReportData">Hex report data binding the nonce and the runtime data: <c>secgear attest --report-data</c>.</param>
internal sealed record ChallengeOutput(string SessionId, byte[] Nonce, string NonceHex, DateTimeOffset ExpiresAt, string ReportData);
