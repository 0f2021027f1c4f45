using System.Text.Json;

namespace SecGear.ConfidentialVm.Tpm;

/// <summary>
/// The engine side of Azure confidential-VM evidence: reads the HCL report from NV index 0x01400001 and quotes SHA-256
/// PCRs 0..23 with the vTPM attestation key at 0x81000003, as the trustee JSON envelope version 1 the verifier reads
/// (<c>{"version":1,"tpm_quote":{"signature","message","pcrs"},"hcl_report","vcek"}</c>). Tested against swtpm only.
/// </summary>
public sealed class AzureVtpmAttester(VtpmClient tpm, uint hclIndex = TpmConstants.AzureHclReportIndex, uint akHandle = TpmConstants.AzureAkHandle)
{
    /// <summary>Evidence binding <paramref name="nonce"/> (the quote's qualifying data, at most 64 bytes); <paramref name="vcek"/> (DER) is added when known (Azure serves it from its THIM endpoint, not the TPM).</summary>
    /// <exception cref="TpmException">The TPM failed or lacks the index or key.</exception>
    public byte[] GetEvidence(ReadOnlySpan<byte> nonce, byte[]? vcek = null)
    {
        byte[] hcl = tpm.NvRead(hclIndex);
        var (message, signature) = tpm.Quote(akHandle, nonce);
        IReadOnlyList<byte[]> pcrs = tpm.ReadPcrs();
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("version", 1);
            json.WriteStartObject("tpm_quote");
            json.WriteString("signature", Convert.ToHexStringLower(signature));
            json.WriteString("message", Convert.ToHexStringLower(message));
            json.WriteStartArray("pcrs");
            foreach (byte[] pcr in pcrs)
            {
                json.WriteStringValue(Convert.ToHexStringLower(pcr));
            }

            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteString("hcl_report", Base64Url(hcl));
            if (vcek is not null)
            {
                json.WriteString("vcek", Base64Url(vcek));
            }

            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static string Base64Url(byte[] data) => Convert.ToBase64String(data).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
