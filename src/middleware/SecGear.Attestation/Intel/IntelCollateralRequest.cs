using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using SecGear.Attestation.X509;

namespace SecGear.Attestation.Intel;

/// <summary>What identifies a platform's collateral at Intel PCS / a PCCS: TEE, FMSPC and the CA that issued the PCK.</summary>
/// <param name="Tee"><see cref="TeeKind.Sgx"/> or <see cref="TeeKind.Tdx"/>.</param>
/// <param name="Fmspc">FMSPC, 12 hex digits.</param>
/// <param name="PckCa"><c>processor</c> or <c>platform</c>.</param>
public sealed record IntelCollateralRequest(TeeKind Tee, string Fmspc, string PckCa)
{
    /// <summary>
    /// Reads the request from a quote's PCK certificate (FMSPC from its SGX extension, CA from its issuer). Returns
    /// false with the failure when the quote or its chain cannot be read. Nothing is trusted here; the collateral
    /// fetched is verified with the quote.
    /// </summary>
    public static bool TryFromQuote(ReadOnlyMemory<byte> quote, [NotNullWhen(true)] out IntelCollateralRequest? request, [NotNullWhen(false)] out AttestationFailure? failure)
    {
        request = null;
        if (!DcapQuoteParser.TryParse(quote, IntelCollateral.MaxSize, out var parsed, out failure))
        {
            return false;
        }

        if (parsed.CertificationDataType != DcapQuoteParser.PckCertChainType)
        {
            failure = new(AttestationFailureCode.UnsupportedCertificationDataType, $"certification data type is {parsed.CertificationDataType}, expected 5 (PCK certificate chain)");
            return false;
        }

        try
        {
            var pck = PemCertificates.Read(parsed.CertificationData.Span)[0];
            var extension = PckExtension.Read(pck);
            string ca = pck.Issuer.Contains("Platform", StringComparison.Ordinal) ? "platform" : "processor";
            request = new IntelCollateralRequest(parsed.Tee, Convert.ToHexStringLower(extension.Fmspc.Span), ca);
            return true;
        }
        catch (Exception ex) when (ex is CryptographicException or FormatException)
        {
            failure = new(AttestationFailureCode.PckChainMalformed, FailureText.Of(ex));
            return false;
        }
    }
}
