namespace SecGear.SecureChannel;

/// <summary>Limits and settings of a secure channel endpoint. Every limit is checked at its edge.</summary>
public sealed class SecureChannelOptions
{
    /// <summary>The suites this side accepts, most preferred first (the client offers them in this order).</summary>
    public IReadOnlyList<SecureChannelSuite> Suites { get; init; } =
        [SecureChannelSuite.EcdheP256Aes256GcmSha256, SecureChannelSuite.EcdheP384Aes256GcmSha384];

    /// <summary>The largest frame body accepted, handshake frames with evidence included (default 256 KiB).</summary>
    public int MaxFrameLength { get; init; } = 256 * 1024;

    /// <summary>The largest record plaintext accepted or sent (default 64 KiB).</summary>
    public int MaxRecordPayload { get; init; } = 64 * 1024;

    /// <summary>The sender switches to the next key epoch after this many records under one key (default 2^20).</summary>
    public long RekeyAfterRecords { get; init; } = 1L << 20;

    /// <summary>The sender switches to the next key epoch after this many plaintext bytes under one key (default 1 GiB).</summary>
    public long RekeyAfterBytes { get; init; } = 1L << 30;

    /// <summary>A session with no traffic for this long is closed (default 5 minutes).</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// A session still handshaking after this long is dropped (default 30 seconds), so half-open handshakes cannot hold
    /// the session slots for a whole <see cref="IdleTimeout"/>.
    /// </summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The most sessions, handshaking or established, a server holds at once (default 64).</summary>
    public int MaxSessions { get; init; } = 64;

    /// <summary>
    /// How many fresh ephemeral keys per suite a server generates ahead on the thread pool, so a ClientHello does not
    /// wait for key generation (default 2; 0 generates each key inside the handshake, e.g. where the enclave has no
    /// spare threads). A client with a non-zero value generates its key for its preferred suite on the thread pool
    /// while its ClientHello is in flight. Every key is used for one handshake only.
    /// </summary>
    public int PregeneratedKeys { get; init; } = 2;

    /// <summary>Client side: the certificate and key to authenticate with, for servers that require it (null: none).</summary>
    public ClientCredential? ClientCredential { get; init; }

    /// <summary>
    /// Server side: when set, every client must present a certificate this policy accepts and prove possession of its
    /// key (<see cref="SecureChannelFailureCode.ClientCertificateRequired"/> and the two reasons after it otherwise).
    /// Null (default): no client authentication.
    /// </summary>
    public ClientCertificatePolicy? ClientCertificatePolicy { get; init; }

    /// <summary>The clock for idle timeouts and evidence verification time.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    internal void Validate()
    {
        if (Suites is null || Suites.Count == 0 || Suites.Count > Wire.MaxSuites || Suites.Any(s => !Enum.IsDefined(s)))
        {
            throw new ArgumentException($"Suites must list 1 to {Wire.MaxSuites} defined suites", nameof(Suites));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(MaxFrameLength, 1024, nameof(MaxFrameLength));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxRecordPayload, 1, nameof(MaxRecordPayload));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxRecordPayload, MaxFrameLength - Wire.RecordOverhead, nameof(MaxRecordPayload));
        ArgumentOutOfRangeException.ThrowIfLessThan(RekeyAfterRecords, 1, nameof(RekeyAfterRecords));
        ArgumentOutOfRangeException.ThrowIfLessThan(RekeyAfterBytes, 1, nameof(RekeyAfterBytes));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(IdleTimeout, TimeSpan.Zero, nameof(IdleTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(HandshakeTimeout, TimeSpan.Zero, nameof(HandshakeTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxSessions, 1, nameof(MaxSessions));
        ArgumentOutOfRangeException.ThrowIfNegative(PregeneratedKeys, nameof(PregeneratedKeys));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(PregeneratedKeys, 64, nameof(PregeneratedKeys));
        ArgumentNullException.ThrowIfNull(TimeProvider, nameof(TimeProvider));
    }
}
