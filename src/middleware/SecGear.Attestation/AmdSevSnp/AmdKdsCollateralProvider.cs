using System.Collections.Concurrent;
using System.Globalization;

namespace SecGear.Attestation.AmdSevSnp;

/// <summary>
/// Fetches the VCEK for a report (by product, CHIP_ID and REPORTED_TCB) and the product's ASK/ARK chain from AMD KDS
/// or a KDS-compatible cache, and caches every response by URL (a URL's certificate never changes). Concurrent
/// requests for the same URL share one fetch; failures are not cached. VLEKs are not served publicly by KDS: the
/// host must supply them (SNP extended report certificate table).
/// </summary>
public sealed class AmdKdsCollateralProvider
{
    private readonly HttpClient _http;
    private readonly AmdKdsCollateralProviderOptions _options;
    private readonly ConcurrentDictionary<string, Lazy<Task<byte[]>>> _cache = new(StringComparer.Ordinal);

    /// <summary>Creates a provider on an <see cref="HttpClient"/> the caller owns.</summary>
    public AmdKdsCollateralProvider(HttpClient http, AmdKdsCollateralProviderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        _http = http;
        _options = options ?? new AmdKdsCollateralProviderOptions();
    }

    /// <summary>The KDS path of the VCEK for a report, relative to the base address.</summary>
    public static string VcekPath(SnpReport report, SnpProduct product)
    {
        ArgumentNullException.ThrowIfNull(report);
        var tcb = SnpTcbVersion.FromRaw(report.ReportedTcbRaw, product);
        var hardwareId = Convert.ToHexStringLower(product == SnpProduct.Turin ? report.ChipId.AsSpan(0, 8) : report.ChipId);
        var query = string.Create(CultureInfo.InvariantCulture, $"blSPL={tcb.BootLoader}&teeSPL={tcb.Tee}&snpSPL={tcb.Snp}&ucodeSPL={tcb.Microcode}");
        if (product == SnpProduct.Turin)
        {
            query = string.Create(CultureInfo.InvariantCulture, $"fmcSPL={tcb.Fmc}&{query}");
        }

        return $"vcek/v1/{product}/{hardwareId}?{query}";
    }

    /// <summary>
    /// Returns the VCEK and chain for a report. <paramref name="product"/> may be <see cref="SnpProduct.Unknown"/> for
    /// reports of version 3 and later (CPUID says which). Throws <see cref="AttestationException"/>
    /// (<see cref="AttestationFailureCode.CollateralUnavailable"/> / <see cref="AttestationFailureCode.CollateralMalformed"/>
    /// / the report's parse failure), or <see cref="ArgumentException"/> when the product cannot be determined.
    /// </summary>
    public async Task<SevSnpCollateral> GetCollateralAsync(ReadOnlyMemory<byte> report, SnpProduct product = SnpProduct.Unknown, CancellationToken cancellationToken = default)
    {
        if (!SnpReport.TryParse(report.Span, out var parsed, out var failure))
        {
            throw new AttestationException(failure);
        }
        if (product == SnpProduct.Unknown)
        {
            product = parsed.CpuidProduct != SnpProduct.Unknown
                ? parsed.CpuidProduct
                : throw new ArgumentException("the report (version 2) does not name its product; pass Milan, Genoa or Turin", nameof(product));
        }

        if (parsed.SigningKey != 0)
        {
            throw new AttestationException(AttestationFailureCode.CollateralUnavailable, "the report is signed by a VLEK, which AMD KDS does not serve publicly; take it from the host's extended report certificate table");
        }

        if (parsed.MaskChipKey || !parsed.ChipId.AsSpan().ContainsAnyExcept((byte)0))
        {
            throw new AttestationException(AttestationFailureCode.CollateralUnavailable, "the report's CHIP_ID is masked, so its VCEK cannot be looked up; take it from the host");
        }

        var vcek = await GetAsync(VcekPath(parsed, product), cancellationToken).ConfigureAwait(false);
        var chain = await GetAsync($"vcek/v1/{product}/cert_chain", cancellationToken).ConfigureAwait(false);
        return SevSnpCollateral.Create(vcek, chain);
    }

    private async Task<byte[]> GetAsync(string relative, CancellationToken cancellationToken)
    {
        if (_cache.TryGetValue(relative, out var cached) && cached.Value.IsCompletedSuccessfully)
        {
            return cached.Value.Result;
        }

        if (_cache.Count >= _options.CacheCapacity)
        {
            _cache.Clear();
        }

        // The shared fetch is not tied to one caller's token (others may wait on it); HttpClient.Timeout bounds it.
        var entry = _cache.GetOrAdd(relative, key => new Lazy<Task<byte[]>>(() => FetchAsync(new Uri(_options.BaseAddress, key))));
        try
        {
            return await entry.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch when (entry.Value.IsFaulted)
        {
            _cache.TryRemove(new KeyValuePair<string, Lazy<Task<byte[]>>>(relative, entry));
            throw;
        }
    }

    private async Task<byte[]> FetchAsync(Uri address)
    {
        string shown = address.GetLeftPart(UriPartial.Path);
        HttpResponseMessage response;
        try
        {
            response = await _http.GetAsync(address, HttpCompletionOption.ResponseHeadersRead).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            throw Unavailable($"GET {shown} failed: {FailureText.Of(ex)}");
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                throw Unavailable($"GET {shown} returned {(int)response.StatusCode} {response.ReasonPhrase}");
            }

            if (response.Content.Headers.ContentLength > _options.MaxResponseSize)
            {
                throw Unavailable($"GET {shown} declares {response.Content.Headers.ContentLength} bytes; the limit is {_options.MaxResponseSize}");
            }

            var stream = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                using var buffer = new MemoryStream();
                var chunk = new byte[16 * 1024];
                int read;
                while ((read = await stream.ReadAsync(chunk).ConfigureAwait(false)) > 0)
                {
                    if (buffer.Length + read > _options.MaxResponseSize)
                    {
                        throw Unavailable($"GET {shown} returned more than {_options.MaxResponseSize} bytes");
                    }

                    buffer.Write(chunk, 0, read);
                }

                return buffer.ToArray();
            }
        }
    }

    private static AttestationException Unavailable(string message) => new(AttestationFailureCode.CollateralUnavailable, message);
}
