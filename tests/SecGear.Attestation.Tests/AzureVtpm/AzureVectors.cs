using System.Buffers.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using SecGear.Attestation.AzureVtpm;

namespace SecGear.Attestation.Tests.AzureVtpm;

/// <summary>The AZ-SNP-1/2/3 and AZ-TDX-1 sets, and envelopes composed from their pieces.</summary>
internal static class AzureVectors
{
    public const string Snp = "azure-vtpm/trustee/snp/";
    public const string Tdx = "azure-vtpm/trustee/tdx/";

    /// <summary>SOURCES.md pin for AZ-SNP-1 (VCEKs valid from 2025-01-28 for 7 years).</summary>
    public static readonly DateTimeOffset Time = TestVectors.At("2025-06-01T00:00:00Z");

    /// <summary>Inside the SNP-4 VCEK's validity (from 2023-01-24), for AZ-SNP-2.</summary>
    public static readonly DateTimeOffset Snp4Time = TestVectors.At("2025-01-01T00:00:00Z");

    public static AzureVtpmCollateral Milan() => AzureVtpmCollateral.ForSnp(TestVectors.Read("roots/amd/ask_ark_milan.pem"));

    public static byte[] Envelope(int version) => TestVectors.Read(Snp + $"evidence-v{version}.json");

    /// <summary>A version-1 envelope of the given pieces (hex quote fields, base64url report and VCEK).</summary>
    public static byte[] Compose(byte[] hcl, byte[] message, byte[] signature, IEnumerable<byte[]> pcrs, byte[]? vcek, int version = 1)
    {
        var quote = new JsonObject
        {
            ["signature"] = Convert.ToHexStringLower(signature),
            ["message"] = Convert.ToHexStringLower(message),
            ["pcrs"] = new JsonArray([.. pcrs.Select(p => (JsonNode)Convert.ToHexStringLower(p))]),
        };
        var root = new JsonObject { ["version"] = version, ["tpm_quote"] = quote, ["hcl_report"] = Base64Url.EncodeToString(hcl) };
        if (vcek is not null)
        {
            root["vcek"] = Base64Url.EncodeToString(vcek);
        }

        return JsonSerializer.SerializeToUtf8Bytes(root);
    }

    /// <summary>The pieces of a version-1 envelope.</summary>
    public static (byte[] Hcl, byte[] Message, byte[] Signature, List<byte[]> Pcrs, byte[] Vcek) Pieces(byte[] envelope)
    {
        var evidence = AzureVtpmEvidence.TryParse(envelope, out var parsed, out var failure) ? parsed : throw new InvalidOperationException(failure.ToString());
        return (evidence.HclReport, evidence.QuoteMessage, evidence.QuoteSignature, [.. evidence.Pcrs], evidence.Vcek!);
    }

    /// <summary>AZ-TDX-1 as one envelope: the HCL report and the bincode quote (no TD quote: the set has none).</summary>
    public static byte[] TdxEnvelope()
    {
        var (signature, message, pcrs) = TpmQuote.ReadBincode(TestVectors.Read(Tdx + "quote.bin")) ?? throw new InvalidOperationException("bad bincode");
        return Compose(TestVectors.Read(Tdx + "hcl_report_tdx.bin"), message, signature, pcrs, vcek: null);
    }
}

/// <summary>TDX-1 (dcap-qvl): a real Intel TD quote of another TD, with its collateral.</summary>
internal static class TdxOne
{
    public const string Quote = "tdx-v4/dcap-qvl/tdx_quote";
    public const string Collateral = "tdx-v4/dcap-qvl/tdx_quote_collateral.json";
    public static readonly DateTimeOffset Time = TestVectors.At("2025-07-04T00:00:00Z");
}
