namespace SecGear.Attestation.AzureVtpm;

/// <summary>
/// Recognises a trustee Azure vTPM envelope by content: a JSON object naming an HCL report (<c>hcl_report</c>, or
/// <c>report</c> next to <c>quote</c> in version 0) and a TPM quote.
/// </summary>
internal static class AzureVtpmDetector
{
    /// <summary>True when <paramref name="data"/> looks like an Azure vTPM envelope.</summary>
    public static bool LooksLikeEvidence(ReadOnlySpan<byte> data)
    {
        var trimmed = data.TrimStart(" \t\r\n"u8);
        if (trimmed.IsEmpty || trimmed[0] != (byte)'{' || data.Length > AzureVtpmVerifier.MaxEvidenceSize)
        {
            return false;
        }

        bool quote = trimmed.IndexOf("\"tpm_quote\""u8) >= 0 || trimmed.IndexOf("\"quote\""u8) >= 0;
        bool report = trimmed.IndexOf("\"hcl_report\""u8) >= 0 || trimmed.IndexOf("\"report\""u8) >= 0;
        return quote && report;
    }
}
