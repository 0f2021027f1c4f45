using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;
using SecGear.AttestationService.Storage;

namespace SecGear.AttestationService.Security;

/// <summary>Key rotation and retirement: which key signs now, adding a successor, and dropping keys no valid token can name.</summary>
public sealed partial class TokenService
{
    /// <summary>How many times this instance has read the keys from the store (start, maintenance, unknown key ids).</summary>
    public long ReloadCount => Interlocked.Read(ref reloads);

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

        var now = time.GetUtcNow();
        bool added = await store.AddSigningKeyIfNewestAsync(NewKey(now, now + options.Operations.KeyPublishAhead), expectedNewestCreatedAt, cancellationToken).ConfigureAwait(false);
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
        var now = time.GetUtcNow();
        if (NewestCreatedAt() is { } newest && NextScheduledRotation() is { } due && now >= due)
        {
            await RotateAsync(newest, cancellationToken).ConfigureAwait(false);
        }

        bool retired = false;
        foreach (var key in Status(now).Where(k => k.RetiresAt is { } retires && now >= retires))
        {
            await store.DeleteSigningKeyAsync(key.KeyId, cancellationToken).ConfigureAwait(false);
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
        var all = schedule;
        string? current = CurrentKeyId;
        var result = new List<SigningKeyInfo>(all.Length);
        for (int i = 0; i < all.Length; i++)
        {
            var key = all[i];
            // Superseded when a key activating later became active: from then on only instances that have not reloaded can still sign with it.
            DateTimeOffset? superseded = all.Skip(i + 1).Select(k => k.EffectiveActivation).Where(a => a <= now).Cast<DateTimeOffset?>().Min();
            string state = key.KeyId == current ? "active" : key.EffectiveActivation > now ? "pending" : "previous";
            DateTimeOffset? retires = state == "previous" && superseded is { } since
                ? since + options.TokenLifetime + options.Operations.KeyRetirementMargin
                : null;
            result.Add(new SigningKeyInfo(key.KeyId, state, key.CreatedAt, key.EffectiveActivation, retires));
        }

        return result;
    }

    /// <summary>When the next scheduled rotation is due, or null when scheduled rotation is off.</summary>
    public DateTimeOffset? NextScheduledRotation() =>
        options.Operations.KeyRotationInterval > TimeSpan.Zero && NewestCreatedAt() is { } newest
            ? newest + options.Operations.KeyRotationInterval
            : null;

    private DateTimeOffset? NewestCreatedAt() => schedule.Length == 0 ? null : schedule.Max(key => key.CreatedAt);

    /// <summary>The loaded key activated last among those whose activation has come (the first when none has).</summary>
    private SigningCredentials? CurrentCredentials()
    {
        var all = schedule;
        if (all.Length == 0)
        {
            return null;
        }

        var now = time.GetUtcNow();
        var pick = all[0];
        foreach (var key in all)
        {
            if (key.EffectiveActivation <= now && keys.ContainsKey(key.KeyId))
            {
                pick = key;
            }
        }

        return keys.TryGetValue(pick.KeyId, out var securityKey)
            ? credentials.GetOrAdd(pick.KeyId, _ => new SigningCredentials(securityKey, Algorithm))
            : null;
    }

    /// <summary>True for at most one caller per <see cref="UnknownKeyReloadInterval"/>.</summary>
    private bool TryClaimUnknownKeyReload()
    {
        long now = Environment.TickCount64;
        long last = Interlocked.Read(ref lastUnknownKeyReload);
        return now - last >= (long)UnknownKeyReloadInterval.TotalMilliseconds
            && Interlocked.CompareExchange(ref lastUnknownKeyReload, now, last) == last;
    }

    private StoredSigningKey NewKey(DateTimeOffset now, DateTimeOffset activatesAt)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        string kid = KeyId(key);
        var pkcs8 = key.ExportPkcs8PrivateKey();
        try
        {
            return new StoredSigningKey(kid, masterKey.Encrypt(pkcs8, Context(kid)), now, activatesAt);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pkcs8);
        }
    }
}
