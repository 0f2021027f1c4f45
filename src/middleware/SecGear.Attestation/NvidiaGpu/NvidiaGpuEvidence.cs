using System.Buffers;
using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace SecGear.Attestation.NvidiaGpu;

/// <summary>
/// One device's evidence: the SPDM report and the PEM certificate chain (leaf first) that came with it. Reads the
/// forms the evidence ships in: the report as hex or base64 text followed by the PEM chain (the form
/// <see cref="Encode"/> writes and <c>secgear verify</c> reads), trustee's <c>device_evidence_list</c> JSON and
/// NVIDIA's SDK JSON array, each with exactly one device. Text is decoded by one rule: hex when every character is a
/// hex digit and the length is even, otherwise base64.
/// </summary>
public sealed class NvidiaGpuEvidence
{
    private static readonly SearchValues<byte> HexDigits = SearchValues.Create("0123456789abcdefABCDEF"u8);

    private static ReadOnlySpan<byte> PemStart => "-----BEGIN"u8;

    private NvidiaGpuEvidence(byte[] report, byte[] certificateChainPem, string? architecture)
    {
        Report = report;
        CertificateChainPem = certificateChainPem;
        Architecture = architecture;
    }

    /// <summary>The binary SPDM report (request ‖ response).</summary>
    public ReadOnlyMemory<byte> Report { get; }

    /// <summary>The PEM certificate chain, leaf first, as it came with the report.</summary>
    public ReadOnlyMemory<byte> CertificateChainPem { get; }

    /// <summary>The architecture the JSON envelope names (e.g. <c>HOPPER</c>), or null when there was none.</summary>
    public string? Architecture { get; }

    /// <summary>
    /// Writes the canonical evidence bytes for <see cref="EvidenceFormats.NvidiaGpuReport"/>: the report as lower-case
    /// hex, a line feed, then the PEM chain.
    /// </summary>
    public static byte[] Encode(ReadOnlySpan<byte> report, ReadOnlySpan<byte> certificateChainPem)
    {
        var hex = Encoding.ASCII.GetBytes(Convert.ToHexStringLower(report));
        return [.. hex, (byte)'\n', .. certificateChainPem];
    }

    /// <summary>True when <paramref name="data"/> has the shape of GPU evidence (used by <see cref="Evidence.Detect"/>).</summary>
    public static bool LooksLike(ReadOnlySpan<byte> data)
    {
        var text = data.Trim(" \t\r\n"u8);
        if (text.StartsWith("{"u8) || text.StartsWith("["u8))
        {
            return text.IndexOf("\"evidence\""u8) >= 0 && text.IndexOf("\"certificate\""u8) >= 0;
        }

        // Hex "11e001ff" (SPDM 1.1 GET_MEASUREMENTS, signed, all blocks) or its base64 "EeAB/" before a PEM chain.
        return (text.StartsWith("11e001ff"u8) || text.StartsWith("11E001FF"u8) || text.StartsWith("EeAB/"u8)) && text.IndexOf(PemStart) > 0;
    }

    /// <summary>Reads the evidence; null and a failure naming what is wrong otherwise.</summary>
    public static bool TryRead(ReadOnlySpan<byte> data, [NotNullWhen(true)] out NvidiaGpuEvidence? evidence, [NotNullWhen(false)] out AttestationFailure? failure)
    {
        evidence = null;
        failure = null;
        var text = data.Trim(" \t\r\n"u8);
        if (text.IsEmpty)
        {
            failure = new(AttestationFailureCode.EvidenceEmpty, "the GPU evidence is empty");
            return false;
        }

        if (text[0] is (byte)'{' or (byte)'[')
        {
            return TryReadJson(text, out evidence, out failure);
        }

        int pem = text.IndexOf(PemStart);
        if (pem <= 0)
        {
            return Malformed(out failure, "the GPU evidence is neither JSON nor a report (hex or base64) followed by a PEM certificate chain");
        }

        var report = DecodeText(text[..pem].TrimEnd(" \t\r\n"u8));
        if (report is null)
        {
            return Malformed(out failure, "the report before the PEM chain is neither hex nor base64");
        }

        evidence = new NvidiaGpuEvidence(report, text[pem..].ToArray(), null);
        return true;
    }

    private static bool TryReadJson(ReadOnlySpan<byte> json, [NotNullWhen(true)] out NvidiaGpuEvidence? parsed, [NotNullWhen(false)] out AttestationFailure? failure)
    {
        parsed = null;
        try
        {
            using var document = JsonDocument.Parse(json.ToArray(), new JsonDocumentOptions { MaxDepth = 8 });
            var root = document.RootElement;
            JsonElement devices = root;
            if (root.ValueKind == JsonValueKind.Object)
            {
                if (!root.TryGetProperty("device_evidence_list", out devices))
                {
                    return Malformed(out failure, "the GPU evidence JSON object has no 'device_evidence_list'");
                }
            }

            if (devices.ValueKind != JsonValueKind.Array || devices.GetArrayLength() != 1)
            {
                return Malformed(out failure, $"the GPU evidence JSON must list exactly one device, found {(devices.ValueKind == JsonValueKind.Array ? devices.GetArrayLength() : 0)}; attest several GPUs as a composite, one evidence each");
            }

            var device = devices[0];
            if (device.ValueKind != JsonValueKind.Object
                || !device.TryGetProperty("evidence", out var evidence) || evidence.ValueKind != JsonValueKind.String
                || !device.TryGetProperty("certificate", out var certificate) || certificate.ValueKind != JsonValueKind.String)
            {
                return Malformed(out failure, "the device entry needs string fields 'evidence' and 'certificate'");
            }

            var report = DecodeText(Encoding.UTF8.GetBytes(evidence.GetString()!));
            var chain = DecodeBase64(Encoding.UTF8.GetBytes(certificate.GetString()!));
            if (report is null || chain is null)
            {
                return Malformed(out failure, report is null ? "'evidence' is neither hex nor base64" : "'certificate' is not base64 of the PEM chain");
            }

            string? architecture = device.TryGetProperty("arch", out var arch) && arch.ValueKind == JsonValueKind.String ? arch.GetString() : null;
            failure = null;
            parsed = new NvidiaGpuEvidence(report, chain, architecture);
            return true;
        }
        catch (JsonException ex)
        {
            return Malformed(out failure, $"the GPU evidence JSON is invalid: {ex.Message}");
        }
    }

    private static byte[]? DecodeText(ReadOnlySpan<byte> text)
    {
        if (text.Length % 2 == 0 && !text.IsEmpty && !text.ContainsAnyExcept(HexDigits))
        {
            var bytes = new byte[text.Length / 2];
            return Convert.FromHexString(Encoding.ASCII.GetString(text), bytes, out _, out _) == OperationStatus.Done ? bytes : null;
        }

        return DecodeBase64(text);
    }

    private static byte[]? DecodeBase64(ReadOnlySpan<byte> text)
    {
        var decoded = new byte[Base64.GetMaxDecodedFromUtf8Length(text.Length)];
        return !text.IsEmpty && Base64.DecodeFromUtf8(text, decoded, out _, out int written) == OperationStatus.Done ? decoded[..written] : null;
    }

    private static bool Malformed(out AttestationFailure failure, string message)
    {
        failure = new(AttestationFailureCode.EvidenceMalformed, message);
        return false;
    }

    /// <summary>SHA-256 over the chain text, the key of the verified-chain cache.</summary>
    internal string ChainKey() => Convert.ToHexString(SHA256.HashData(CertificateChainPem.Span));
}
