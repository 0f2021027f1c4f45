using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace SecGear.Attestation.Intel;

/// <summary>
/// Fetches Intel DCAP collateral from Intel PCS or a PCCS over HTTP (PCS API v4: TCB info, QE identity, PCK CRL,
/// issuer chains from response headers) and caches it per platform until the cache duration or the collateral's own
/// validity ends, whichever is first. Concurrent requests for the same platform share one fetch.
/// </summary>
public sealed class PcsCollateralProvider : ICollateralProvider
{
    private readonly HttpClient _http;
    private readonly PcsCollateralProviderOptions _options;
    private readonly ConcurrentDictionary<IntelCollateralRequest, Lazy<Task<CacheEntry>>> _cache = new();

    /// <summary>Creates a provider on an <see cref="HttpClient"/> the caller owns.</summary>
    public PcsCollateralProvider(HttpClient http, PcsCollateralProviderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        _http = http;
        _options = options ?? new PcsCollateralProviderOptions();
    }

    /// <inheritdoc />
    public async Task<IntelCollateral> GetCollateralAsync(IntelCollateralRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Tee is not (TeeKind.Sgx or TeeKind.Tdx) || request.Fmspc.Length != 12 || !request.Fmspc.All(Uri.IsHexDigit) || request.PckCa is not ("processor" or "platform"))
        {
            throw new ArgumentException($"invalid collateral request {request}", nameof(request));
        }

        var now = _options.TimeProvider.GetUtcNow();
        if (_cache.TryGetValue(request, out var cached) && cached.Value.IsCompletedSuccessfully && cached.Value.Result.ExpiresAt > now)
        {
            return cached.Value.Result.Collateral;
        }

        // The shared fetch is not tied to one caller's token (others may be waiting on it); HttpClient.Timeout bounds it.
        var fresh = new Lazy<Task<CacheEntry>>(() => FetchAsync(request, CancellationToken.None));
        var entry = _cache.AddOrUpdate(request, fresh, (_, old) => old.Value.IsCompleted && (!old.Value.IsCompletedSuccessfully || old.Value.Result.ExpiresAt <= now) ? fresh : old);
        try
        {
            return (await entry.Value.WaitAsync(cancellationToken).ConfigureAwait(false)).Collateral;
        }
        catch when (entry.Value.IsFaulted)
        {
            _cache.TryRemove(new KeyValuePair<IntelCollateralRequest, Lazy<Task<CacheEntry>>>(request, entry));
            throw;
        }
    }

    private async Task<CacheEntry> FetchAsync(IntelCollateralRequest request, CancellationToken cancellationToken)
    {
        string tee = request.Tee == TeeKind.Tdx ? "tdx" : "sgx";
        var tcb = await GetAsync($"{tee}/certification/v4/tcb?fmspc={request.Fmspc}", ["TCB-Info-Issuer-Chain", "SGX-TCB-Info-Issuer-Chain"], cancellationToken).ConfigureAwait(false);
        var qe = await GetAsync($"{tee}/certification/v4/qe/identity", ["SGX-Enclave-Identity-Issuer-Chain"], cancellationToken).ConfigureAwait(false);
        var pckCrl = await GetAsync($"sgx/certification/v4/pckcrl?ca={request.PckCa}&encoding=der", ["SGX-PCK-CRL-Issuer-Chain"], cancellationToken).ConfigureAwait(false);
        var rootCrl = await GetAsync(_options.RootCaCrlAddress, [], cancellationToken).ConfigureAwait(false);
        var collateral = IntelCollateral.FromPcsResponses(tcb.Body, tcb.Chain, qe.Body, qe.Chain, pckCrl.Body, pckCrl.Chain, rootCrl.Body);
        var byDuration = _options.TimeProvider.GetUtcNow() + _options.CacheDuration;
        return new CacheEntry(collateral, collateral.ValidUntil < byDuration ? collateral.ValidUntil : byDuration);
    }

    private Task<(byte[] Body, byte[] Chain)> GetAsync(string relative, string[] chainHeaders, CancellationToken cancellationToken) =>
        GetAsync(new Uri(_options.BaseAddress, relative), chainHeaders, cancellationToken);

    private async Task<(byte[] Body, byte[] Chain)> GetAsync(Uri address, string[] chainHeaders, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await _http.GetAsync(address, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw Unavailable($"GET {address.GetLeftPart(UriPartial.Path)} failed: {FailureText.Of(ex)}");
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                throw Unavailable($"GET {address.GetLeftPart(UriPartial.Path)} returned {(int)response.StatusCode} {response.ReasonPhrase}");
            }

            if (response.Content.Headers.ContentLength > _options.MaxResponseSize)
            {
                throw Unavailable($"GET {address.GetLeftPart(UriPartial.Path)} declares {response.Content.Headers.ContentLength} bytes; the limit is {_options.MaxResponseSize}");
            }

            var body = await ReadBoundedAsync(response, address, cancellationToken).ConfigureAwait(false);
            byte[] chain = [];
            if (chainHeaders.Length > 0)
            {
                var header = chainHeaders.Select(name => response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null).FirstOrDefault(v => v is not null)
                    ?? throw Unavailable($"GET {address.GetLeftPart(UriPartial.Path)} has no {string.Join(" / ", chainHeaders)} header");
                chain = Encoding.ASCII.GetBytes(Uri.UnescapeDataString(header));
            }

            return (body, chain);
        }
    }

    private async Task<byte[]> ReadBoundedAsync(HttpResponseMessage response, Uri address, CancellationToken cancellationToken)
    {
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var buffer = new MemoryStream();
            var chunk = new byte[16 * 1024];
            int read;
            while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > _options.MaxResponseSize)
                {
                    throw Unavailable($"GET {address.GetLeftPart(UriPartial.Path)} returned more than {_options.MaxResponseSize.ToString(CultureInfo.InvariantCulture)} bytes");
                }

                buffer.Write(chunk, 0, read);
            }

            return buffer.ToArray();
        }
    }

    private static AttestationException Unavailable(string message) => new(AttestationFailureCode.CollateralUnavailable, message);

    private sealed record CacheEntry(IntelCollateral Collateral, DateTimeOffset ExpiresAt);
}
