using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;
using SecGear.AttestationService.Storage;

namespace SecGear.AttestationService.Security;

/// <summary>Key rotation and retirement: which key signs now, adding a successor, and dropping keys no valid token can name.</summary>
public sealed partial class TokenService
{
    /// <summary>How many times this instance has read the keys from the store (start, maintenance, unknown key ids).</summary>
    public long ReloadCount => Interlocked.Read(ref _reloads);

    /// <summary>The id of the key that signs tokens now, or null before <see cref="InitializeAsync"/>.</summary>
    public string? CurrentKeyId => CurrentCredentials()?.Key.KeyId;

    /// <summary>
    /// Adds a new signing key, published now and signing from now + <see cref="Hosting.OperationsOptions.KeyPublishAhead"/>.
    /// With <paramref name="expectedNewestCreatedAt"/> given (scheduled rotation) the key is added only while the newest
    /// stored key was still created then, so instances that find the rotation due at the same moment add one key.
    /// </summary>
    /// <returns>True when this call added the key.</returns>
    public async Task<bool> RotateAsync(DateTimeOffset? expectedNewestCreatedAt = null, CancellationToken cancellationToken = default)
    {
        if (expectedNewestCreatedAt is null)
        {
            await ReloadAsync(cancellationToken).ConfigureAwait(false);
            expectedNewestCreatedAt = NewestCreatedAt();
        }

        var now = _time.GetUtcNow();
        bool added = await _store.AddSigningKeyIfNewestAsync(NewKey(now, now + _options.Operations.KeyPublishAhead), expectedNewestCreatedAt, cancellationToken).ConfigureAwait(false);
        await ReloadAsync(cancellationToken).ConfigureAwait(false);
        return added;
    }

    /// <summary>
    /// Runs one maintenance step for the keys: reload, rotate when the newest key is older than the rotation interval,
    /// and delete every superseded key whose last possible token has expired (plus the retirement margin).
    /// </summary>
    public async Task MaintainKeysAsync(CancellationToken cancellationToken = default)
    {
        await ReloadAsync(cancellationToken).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        if (NewestCreatedAt() is { } newest && NextScheduledRotation() is { } due && now >= due)
        {
            await RotateAsync(newest, cancellationToken).ConfigureAwait(false);
        }

        bool retired = false;
        foreach (var key in Status(now).Where(k => k.RetiresAt is { } retires && now >= retires))
        {
            await _store.DeleteSigningKeyAsync(key.KeyId, cancellationToken).ConfigureAwait(false);
            retired = true;
        }

        if (retired)
        {
            await ReloadAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Every loaded key with its state at <paramref name="now"/>, in activation order.</summary>
    public IReadOnlyList<SigningKeyInfo> Status(DateTimeOffset now)
    {
        var all = _schedule;
        string? current = CurrentKeyId;
        var result = new List<SigningKeyInfo>(all.Length);
        for (int i = 0; i < all.Length; i++)
        {
            var key = all[i];
            // Superseded when a key activating later became active: from then on only instances that have not reloaded can still sign with it.
            DateTimeOffset? superseded = all.Skip(i + 1).Select(k => k.EffectiveActivation).Where(a => a <= now).Cast<DateTimeOffset?>().Min();
            string state = key.KeyId == current ? "active" : key.EffectiveActivation > now ? "pending" : "previous";
            DateTimeOffset? retires = state == "previous" && superseded is { } since
                ? since + _options.TokenLifetime + _options.Operations.KeyRetirementMargin
                : null;
            result.Add(new SigningKeyInfo(key.KeyId, state, key.CreatedAt, key.EffectiveActivation, retires));
        }

        return result;
    }

    /// <summary>When the next scheduled rotation is due, or null when scheduled rotation is off.</summary>
    public DateTimeOffset? NextScheduledRotation() =>
        _options.Operations.KeyRotationInterval > TimeSpan.Zero && NewestCreatedAt() is { } newest
            ? newest + _options.Operations.KeyRotationInterval
            : null;

    private DateTimeOffset? NewestCreatedAt() => _schedule.Length == 0 ? null : _schedule.Max(key => key.CreatedAt);

    /// <summary>The loaded key activated last among those whose activation has come (the first when none has).</summary>
    private SigningCredentials? CurrentCredentials()
    {
        var all = _schedule;
        if (all.Length == 0)
        {
            return null;
        }

        var now = _time.GetUtcNow();
        var pick = all[0];
        foreach (var key in all)
        {
            if (key.EffectiveActivation <= now && _keys.ContainsKey(key.KeyId))
            {
                pick = key;
            }
        }

        return _keys.TryGetValue(pick.KeyId, out var securityKey)
            ? _credentials.GetOrAdd(pick.KeyId, _ => new SigningCredentials(securityKey, Algorithm))
            : null;
    }

    /// <summary>True for at most one caller per <see cref="UnknownKeyReloadInterval"/>.</summary>
    private bool TryClaimUnknownKeyReload()
    {
        long now = Environment.TickCount64;
        long last = Interlocked.Read(ref _lastUnknownKeyReload);
        return now - last >= (long)UnknownKeyReloadInterval.TotalMilliseconds
            && Interlocked.CompareExchange(ref _lastUnknownKeyReload, now, last) == last;
    }

    private StoredSigningKey NewKey(DateTimeOffset now, DateTimeOffset activatesAt)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        string kid = KeyId(key);
        var pkcs8 = key.ExportPkcs8PrivateKey();
        try
        {
            return new StoredSigningKey(kid, _masterKey.Encrypt(pkcs8, Context(kid)), now, activatesAt);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pkcs8);
        }
    }
}
