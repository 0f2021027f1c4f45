namespace SecGear.AttestationService;

/// <summary>The answer of <c>GET /keys</c> and <c>POST /keys/rotate</c>.</summary>
/// <param name="Keys">Every published key, oldest first.</param>
/// <param name="NextScheduledRotation">When the next scheduled rotation is due (null: scheduled rotation is off).</param>
/// <param name="Rotated">For <c>POST /keys/rotate</c>: whether this request added the key (false: another instance rotated at the same moment).</param>
public sealed record SigningKeyStatus(IReadOnlyList<SigningKeyInfo> Keys, DateTimeOffset? NextScheduledRotation, bool? Rotated = null);
