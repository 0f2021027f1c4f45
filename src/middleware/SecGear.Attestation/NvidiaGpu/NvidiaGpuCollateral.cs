using System.Security.Cryptography;
using SecGear.Attestation.X509;

namespace SecGear.Attestation.NvidiaGpu;

/// <summary>
/// What appraises GPU evidence besides the evidence itself: the driver and VBIOS reference integrity manifests (RIMs)
/// and, optionally, OCSP responses for the device and RIM certificates (an offline verifier never fetches them).
/// Immutable; parse once and share.
/// </summary>
public sealed class NvidiaGpuCollateral : Collateral
{
    /// <summary>Most OCSP responses accepted (one per non-root certificate of the device and RIM chains).</summary>
    public const int MaxOcspResponses = 16;

    private NvidiaGpuCollateral(NvidiaReferenceManifest? driver, NvidiaReferenceManifest? vbios, IReadOnlyList<OcspResponse> ocsp)
    {
        DriverManifest = driver;
        VbiosManifest = vbios;
        OcspResponses = ocsp;
        var chains = new[] { driver, vbios }.OfType<NvidiaReferenceManifest>().Select(m => NvidiaCertificateChain.Window(m.SignerChain)).ToList();
        ValidFrom = chains.Count > 0 ? chains.Max(w => w.From) : DateTimeOffset.MinValue;
        ValidUntil = chains.Count > 0 ? chains.Min(w => w.Until) : DateTimeOffset.MaxValue;
    }

    /// <inheritdoc />
    public override string Format => EvidenceFormats.NvidiaGpuReport;

    /// <inheritdoc />
    public override DateTimeOffset ValidFrom { get; }

    /// <inheritdoc />
    public override DateTimeOffset ValidUntil { get; }

    /// <summary>The driver RIM, or null.</summary>
    public NvidiaReferenceManifest? DriverManifest { get; }

    /// <summary>The VBIOS RIM, or null.</summary>
    public NvidiaReferenceManifest? VbiosManifest { get; }

    /// <summary>The number of OCSP responses supplied.</summary>
    public int OcspResponseCount => OcspResponses.Count;

    internal IReadOnlyList<OcspResponse> OcspResponses { get; }

    /// <summary>
    /// Builds collateral from pieces in any order: RIM files (XML SWID tags; at most one driver and one VBIOS RIM,
    /// told apart by their version) and DER OCSP responses. Throws <see cref="AttestationException"/>
    /// (<see cref="AttestationFailureCode.CollateralMalformed"/>) when a piece cannot be read or a kind repeats.
    /// </summary>
    public static NvidiaGpuCollateral Load(IReadOnlyList<ReadOnlyMemory<byte>> pieces)
    {
        ArgumentNullException.ThrowIfNull(pieces);
        NvidiaReferenceManifest? driver = null, vbios = null;
        var ocsp = new List<OcspResponse>();
        foreach (var piece in pieces)
        {
            var text = piece.Span.TrimStart(" \t\r\n\uFEFF"u8);
            if (text.StartsWith("<"u8))
            {
                var manifest = NvidiaReferenceManifest.Load(piece.Span);
                if ((manifest.Kind == NvidiaRimKind.Driver ? driver : vbios) is { } existing)
                {
                    throw new AttestationException(AttestationFailureCode.CollateralMalformed, $"two {manifest.Kind} RIMs were given ({existing.Version} and {manifest.Version}); give one of each kind");
                }

                if (manifest.Kind == NvidiaRimKind.Driver)
                {
                    driver = manifest;
                }
                else
                {
                    vbios = manifest;
                }

                continue;
            }

            if (ocsp.Count == MaxOcspResponses)
            {
                throw new AttestationException(AttestationFailureCode.CollateralMalformed, $"more than {MaxOcspResponses} OCSP responses were given");
            }

            try
            {
                ocsp.Add(OcspResponse.Parse(piece.ToArray()));
            }
            catch (CryptographicException ex)
            {
                throw new AttestationException(AttestationFailureCode.CollateralMalformed, $"a GPU collateral piece is neither a RIM (XML) nor a DER OCSP response: {ex.Message}");
            }
        }

        return new NvidiaGpuCollateral(driver, vbios, ocsp);
    }

    /// <summary>Builds collateral from parsed RIMs (either may be null) and DER OCSP responses.</summary>
    public static NvidiaGpuCollateral Create(NvidiaReferenceManifest? driverManifest, NvidiaReferenceManifest? vbiosManifest, IEnumerable<ReadOnlyMemory<byte>>? ocspResponses = null)
    {
        if (driverManifest is { Kind: not NvidiaRimKind.Driver } || vbiosManifest is { Kind: not NvidiaRimKind.Vbios })
        {
            throw new ArgumentException("the driver RIM must describe a driver version and the VBIOS RIM a VBIOS version");
        }

        var loaded = Load([.. ocspResponses ?? []]);
        return new NvidiaGpuCollateral(driverManifest, vbiosManifest, loaded.OcspResponses);
    }
}
