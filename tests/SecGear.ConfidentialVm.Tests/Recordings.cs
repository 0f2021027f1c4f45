using System.Security.Cryptography.X509Certificates;
using SecGear.Attestation;
using SecGear.ConfidentialVm.Emulation;
using SecGear.ConfidentialVm.Tsm;

namespace SecGear.ConfidentialVm.Tests;

/// <summary>
/// Real recorded hardware evidence from ../shared/testvectors as configfs-tsm providers serve it: a TDX quote
/// (TDX-1), an SEV-SNP report (SNP-1) with a certificate table built from its recorded VCEK and AMD chain (no recorded
/// auxblob exists in the public sets), and an Arm CCA token (CCA-1, FVP).
/// </summary>
internal static class Recordings
{
    public const string TdxQuote = "tdx-v4/dcap-qvl/tdx_quote";
    public const string TdxCollateral = "tdx-v4/dcap-qvl/tdx_quote_collateral.json";
    public const string SnpReport = "sev-snp/go-sev-guest/attestation.bin";
    public const string CcaToken = "arm-cca/veraison-rust-ccatoken/cca-token-01.cbor";
    public const string CcaAnchors = "arm-cca/veraison-rust-ccatoken/ta-tfa.json";

    public static readonly DateTimeOffset TdxTime = TestVectors.At("2025-07-04T00:00:00Z");
    public static readonly DateTimeOffset SnpTime = TestVectors.At("2025-01-01T00:00:00Z");

    /// <summary>MEASUREMENT of the SNP-1 report.</summary>
    public const string SnpMeasurement = "b07af9620f3b839b47996422ddec6058338951d984e312115131ea82705eaf5b6bdf8a9ece31a5a608eb0cf2e4872b01";

    /// <summary>MRTD of the TDX-1 quote.</summary>
    public const string TdxMrtd = "91eb2b44d141d4ece09f0c75c2c53d247a3c68edd7fafe8a3520c942a604a407de03ae6dc5f87f27428b2538873118b7";

    public static byte[] SnpCertificateTableBytes()
    {
        var chain = new X509Certificate2Collection();
        chain.ImportFromPemFile(TestVectors.Path("sev-snp/go-sev-guest/ask_ark_milan.pem"));
        return SnpCertificateTable.Build(
        [
            (SnpCertificateTable.Vcek, TestVectors.Read("sev-snp/go-sev-guest/vcek.der")),
            (SnpCertificateTable.Ask, chain[0].RawData),
            (SnpCertificateTable.Ark, chain[1].RawData),
        ]);
    }

    public static EmulatedTsmReport Tdx(bool patch = false) =>
        new() { Provider = TsmProviders.Tdx, Outblob = TestVectors.Read(TdxQuote), PatchReportData = patch };

    public static EmulatedTsmReport Snp(bool patch = false) =>
        new() { Provider = TsmProviders.SevSnp, Outblob = TestVectors.Read(SnpReport), Auxblob = SnpCertificateTableBytes(), PatchReportData = patch };

    public static EmulatedTsmReport Cca(bool patch = false) =>
        new() { Provider = TsmProviders.Cca, Outblob = TestVectors.Read(CcaToken), PatchReportData = patch };

    public static EmulatedTsmReport ByProvider(string provider, bool patch = false) => provider switch
    {
        TsmProviders.Tdx => Tdx(patch),
        TsmProviders.SevSnp => Snp(patch),
        _ => Cca(patch),
    };

    /// <summary>Writes an emulation description (and its blobs) for the runner into <paramref name="directory"/>.</summary>
    public static string WriteSpec(string directory, EmulatedTsmReport report)
    {
        File.WriteAllBytes(Path.Combine(directory, "outblob"), report.Outblob);
        string aux = report.Auxblob is null ? string.Empty : ", \"auxblob\": \"auxblob\"";
        if (report.Auxblob is not null)
        {
            File.WriteAllBytes(Path.Combine(directory, "auxblob"), report.Auxblob);
        }

        string spec = Path.Combine(directory, "emulation.json");
        File.WriteAllText(spec, $$"""{"provider": "{{report.Provider}}", "outblob": "outblob"{{aux}}, "patchReportData": {{(report.PatchReportData ? "true" : "false")}}}""");
        return spec;
    }
}
