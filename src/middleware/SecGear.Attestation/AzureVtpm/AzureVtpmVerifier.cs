using System.Globalization;
using System.Security.Cryptography;
using SecGear.Attestation.AmdSevSnp;
using SecGear.Attestation.Intel;

namespace SecGear.Attestation.AzureVtpm;

/// <summary>
/// Verifies Azure confidential-VM vTPM evidence (trustee envelope): HCL report header and runtime data, the vTPM
/// attestation key from it, the TPM quote signature and PCR digest, the binding REPORT_DATA = SHA-256(runtime data as
/// stored), then the hardware report: SEV-SNP with <see cref="SevSnpVerifier"/> (VCEK from the evidence, AMD chain from
/// <see cref="AzureVtpmCollateral"/>), TDX with the Intel-signed TD quote and <see cref="IntelDcapVerifier"/>. A TDX HCL
/// report without its TD quote fails with <see cref="AttestationFailureCode.HardwareReportNotVerifiable"/> (claims
/// attached): its TDREPORT is MACed with a CPU-local key no remote verifier can check. The order is in
/// docs/attestation-sev-nitro-cca.md.
/// </summary>
public sealed class AzureVtpmVerifier : IEvidenceVerifier
{
    /// <summary>Largest envelope accepted, in bytes (real ones are under 40 KiB).</summary>
    public const int MaxEvidenceSize = 1 << 20;

    private readonly SevSnpVerifier _snp;
    private readonly IntelDcapVerifier _intel;

    /// <summary>Creates a verifier with the default SEV-SNP (production AMD ARKs) and Intel (production root) verifiers.</summary>
    public AzureVtpmVerifier()
        : this(new SevSnpVerifier(), new IntelDcapVerifier())
    {
    }

    /// <summary>Creates a verifier that checks the wrapped hardware reports with the given verifiers.</summary>
    public AzureVtpmVerifier(SevSnpVerifier snp, IntelDcapVerifier intel)
    {
        ArgumentNullException.ThrowIfNull(snp);
        ArgumentNullException.ThrowIfNull(intel);
        _snp = snp;
        _intel = intel;
    }

    /// <inheritdoc />
    public string Format => EvidenceFormats.AzureVtpm;

    /// <inheritdoc />
    public AttestationResult Verify(ReadOnlyMemory<byte> evidence, Collateral? collateral, DateTimeOffset verificationTime)
    {
        if (evidence.Length > MaxEvidenceSize)
        {
            return AttestationResult.Fail(AttestationFailureCode.EvidenceTooLarge, $"the Azure vTPM evidence is {evidence.Length} bytes; the limit is {MaxEvidenceSize}");
        }

        if (!AzureVtpmEvidence.TryParse(evidence, out var envelope, out var failure)
            || !HclReport.TryParse(envelope.HclReport, out var hcl, out failure)
            || !HclRuntimeData.TryParse(hcl.VariableData, out var runtime, out failure)
            || !TpmQuote.TryParse(envelope.QuoteMessage, envelope.QuoteSignature, envelope.Pcrs, out var quote, out failure))
        {
            return AttestationResult.Fail(failure);
        }

        var check = CheckQuoteSignature(quote, runtime) ?? CheckPcrDigest(quote) ?? CheckRuntimeBinding(hcl) ?? CheckUserData(envelope, runtime, quote);
        if (check is not null)
        {
            return AttestationResult.Fail(check);
        }

        return hcl.ReportType == HclReport.ReportTypeSnp
            ? VerifySnp(envelope, hcl, runtime, quote, collateral, verificationTime)
            : VerifyTdx(envelope, hcl, runtime, quote, collateral, verificationTime);
    }

    private static AttestationFailure? CheckQuoteSignature(TpmQuote quote, HclRuntimeData runtime)
    {
        try
        {
            using var ak = RSA.Create(runtime.AttestationKey);
            return ak.VerifyData(quote.Message, quote.Signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
                ? null
                : new(AttestationFailureCode.QuoteSignatureInvalid, "the TPM quote signature (RSASSA-PKCS1-v1_5 SHA-256) does not verify with HCLAkPub from the HCL runtime data");
        }
        catch (CryptographicException ex)
        {
            return new(AttestationFailureCode.AttestationKeyMalformed, $"HCLAkPub is not a usable RSA key: {ex.Message}");
        }
    }

    /// <summary>The PCR digest over the supplied values; when none are supplied the signed digest stands alone (claims say so).</summary>
    private static AttestationFailure? CheckPcrDigest(TpmQuote quote)
    {
        if (quote.PcrValues.Count == 0)
        {
            return null;
        }

        if (quote.Selection.Count != 1 || quote.Selection[0].Hash != TpmQuote.AlgSha256)
        {
            return new(AttestationFailureCode.PcrDigestMismatch, $"PCR values are supplied but the quote selects banks {string.Join(", ", quote.Selection.Select(s => s.Hash.ToString("X4", CultureInfo.InvariantCulture)))}; only one SHA-256 bank (000B) can be recomputed");
        }

        var selected = quote.Selection[0].Pcrs;
        if (selected.Count != quote.PcrValues.Count)
        {
            return new(AttestationFailureCode.PcrDigestMismatch, string.Create(CultureInfo.InvariantCulture, $"{quote.PcrValues.Count} PCR values are supplied, the quote selects {selected.Count}"));
        }

        var digest = SHA256.HashData(quote.PcrValues.SelectMany(p => p).ToArray());
        return CryptographicOperations.FixedTimeEquals(digest, quote.PcrDigest)
            ? null
            : new(AttestationFailureCode.PcrDigestMismatch, $"SHA-256 of the supplied PCR values is {Convert.ToHexStringLower(digest)}, the quote's pcrDigest is {Convert.ToHexStringLower(quote.PcrDigest)}");
    }

    private static AttestationFailure? CheckRuntimeBinding(HclReport hcl)
    {
        var expected = SHA256.HashData(hcl.VariableData);
        var found = hcl.HardwareReportData;
        return CryptographicOperations.FixedTimeEquals(found[..32], expected) && !found[32..].ContainsAnyExcept((byte)0)
            ? null
            : new(AttestationFailureCode.RuntimeDataBindingMismatch, $"the hardware report data is {Convert.ToHexStringLower(found)}, expected SHA-256 of the HCL runtime data {Convert.ToHexStringLower(expected)} followed by 32 zero bytes");
    }

    /// <summary>Envelope version 2 promises that user-data (hex) begins with the nonce; earlier versions leave it zero.</summary>
    private static AttestationFailure? CheckUserData(AzureVtpmEvidence envelope, HclRuntimeData runtime, TpmQuote quote)
    {
        if (envelope.Version < 2)
        {
            return null;
        }

        byte[]? user = null;
        try
        {
            user = runtime.UserData is { } text ? Convert.FromHexString(text) : null;
        }
        catch (FormatException)
        {
        }

        return user is not null && user.AsSpan().StartsWith(quote.ExtraData)
            ? null
            : new(AttestationFailureCode.UserDataBindingMismatch, $"version-2 evidence: the runtime data's user-data '{runtime.UserData}' does not begin with the quote nonce {Convert.ToHexStringLower(quote.ExtraData)}");
    }

    private AttestationResult VerifySnp(AzureVtpmEvidence envelope, HclReport hcl, HclRuntimeData runtime, TpmQuote quote, Collateral? collateral, DateTimeOffset time)
    {
        if (envelope.Vcek is null)
        {
            return AttestationResult.Fail(AttestationFailureCode.EndorsementCertificateMalformed, "the SEV-SNP Azure evidence carries no 'vcek'");
        }

        if (collateral is not AzureVtpmCollateral { AmdChainPem: { } chain })
        {
            return AttestationResult.Fail(AttestationFailureCode.CollateralMissing, $"SEV-SNP Azure evidence needs the AMD chain (ASK and ARK PEM) as {nameof(AzureVtpmCollateral)}");
        }

        SevSnpCollateral amd;
        try
        {
            amd = SevSnpCollateral.Create(envelope.Vcek, chain);
        }
        catch (AttestationException ex)
        {
            return AttestationResult.Fail(ex.Failure);
        }

        var inner = _snp.Verify(hcl.HardwareReport, amd, time);
        if (!inner.Succeeded)
        {
            return AttestationResult.Fail(inner.Failure with { Message = "SEV-SNP report in the HCL report: " + inner.Failure.Message });
        }

        var snp = inner.Claims;
        if (snp.Fields.TryGetValue("vmpl", out var vmpl) && vmpl != "0")
        {
            return AttestationResult.Fail(new(AttestationFailureCode.HclReportNotFromParavisor, $"the HCL's SEV-SNP report is at VMPL {vmpl}, expected 0 (the paravisor)"), Claims(snp, hcl, runtime, quote, envelope, hardwareVerified: true));
        }

        return AttestationResult.Success(Claims(snp, hcl, runtime, quote, envelope, hardwareVerified: true));
    }

    private AttestationResult VerifyTdx(AzureVtpmEvidence envelope, HclReport hcl, HclRuntimeData runtime, TpmQuote quote, Collateral? collateral, DateTimeOffset time)
    {
        var td = hcl.HardwareReport;
        var consistency = TdReportConsistency(td);
        if (consistency is not null)
        {
            return AttestationResult.Fail(consistency);
        }

        var tdClaims = TdReportClaims(td);
        if (envelope.TdQuote is null)
        {
            return AttestationResult.Fail(
                new(AttestationFailureCode.HardwareReportNotVerifiable, "the TDX HCL report's TDREPORT is authenticated only by a MAC with a CPU-local key; the evidence carries no Intel-signed TD quote ('td_quote'), so the vTPM key, quote and report data are consistent but the hardware is not attested"),
                Claims(tdClaims, hcl, runtime, quote, envelope, hardwareVerified: false));
        }

        if (collateral is not AzureVtpmCollateral { Intel: { } intel })
        {
            return AttestationResult.Fail(AttestationFailureCode.CollateralMissing, $"TDX Azure evidence needs Intel collateral for its TD quote as {nameof(AzureVtpmCollateral)}");
        }

        var inner = _intel.Verify(envelope.TdQuote, intel, time);
        if (!inner.Succeeded)
        {
            return AttestationResult.Fail(inner.Failure with { Message = "TD quote of the Azure evidence: " + inner.Failure.Message }, inner.Claims);
        }

        var quoted = inner.Claims;
        if (quoted.Tee != TeeKind.Tdx
            || !CryptographicOperations.FixedTimeEquals(quoted.ReportData.Span, hcl.HardwareReportData)
            || !quoted.UniqueId.Span.SequenceEqual(tdClaims.UniqueId.Span))
        {
            return AttestationResult.Fail(new(AttestationFailureCode.RuntimeDataBindingMismatch, $"the TD quote ({quoted.Tee}, MRTD {Convert.ToHexStringLower(quoted.UniqueId.Span)}, report data {Convert.ToHexStringLower(quoted.ReportData.Span)}) is not of the TD in the HCL report (MRTD {Convert.ToHexStringLower(tdClaims.UniqueId.Span)}, report data {Convert.ToHexStringLower(hcl.HardwareReportData)})"));
        }

        return AttestationResult.Success(Claims(quoted, hcl, runtime, quote, envelope, hardwareVerified: true));
    }

    /// <summary>REPORTTYPE 0x81 and the two hashes a TDREPORT carries over its own TEE_TCB_INFO and TDINFO.</summary>
    private static AttestationFailure? TdReportConsistency(byte[] td)
    {
        if (td[0] != 0x81)
        {
            return new(AttestationFailureCode.UnsupportedTeeType, $"the TDREPORT type is {td[0]:X2}, expected 81 (TDX)");
        }

        var tcbInfoHash = SHA384.HashData(td.AsSpan(256, 239));
        var tdInfoHash = SHA384.HashData(td.AsSpan(512, 512));
        if (!td.AsSpan(32, 48).SequenceEqual(tcbInfoHash))
        {
            return new(AttestationFailureCode.EvidenceMalformed, $"TEE_TCB_INFO_HASH is {Convert.ToHexStringLower(td.AsSpan(32, 48))}, SHA-384 of TEE_TCB_INFO is {Convert.ToHexStringLower(tcbInfoHash)}");
        }

        return td.AsSpan(80, 48).SequenceEqual(tdInfoHash)
            ? null
            : new(AttestationFailureCode.EvidenceMalformed, $"TEE_INFO_HASH is {Convert.ToHexStringLower(td.AsSpan(80, 48))}, SHA-384 of TDINFO is {Convert.ToHexStringLower(tdInfoHash)}");
    }

    private static AttestationClaims TdReportClaims(byte[] td)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["td_attributes"] = Convert.ToHexStringLower(td.AsSpan(512, 8)),
            ["xfam"] = Convert.ToHexStringLower(td.AsSpan(520, 8)),
            ["mrconfigid"] = Convert.ToHexStringLower(td.AsSpan(576, 48)),
            ["mrowner"] = Convert.ToHexStringLower(td.AsSpan(624, 48)),
            ["mrownerconfig"] = Convert.ToHexStringLower(td.AsSpan(672, 48)),
            ["tee_tcb_svn"] = Convert.ToHexStringLower(td.AsSpan(256 + 8, 16)),
            ["mrseam"] = Convert.ToHexStringLower(td.AsSpan(256 + 24, 48)),
            ["cpusvn"] = Convert.ToHexStringLower(td.AsSpan(16, 16)),
        };
        for (int i = 0; i < 4; i++)
        {
            fields[string.Create(CultureInfo.InvariantCulture, $"rtmr{i}")] = Convert.ToHexStringLower(td.AsSpan(720 + (48 * i), 48));
        }

        return new AttestationClaims
        {
            Format = EvidenceFormats.IntelDcapQuote,
            Tee = TeeKind.Tdx,
            UniqueId = td.AsSpan(528, 48).ToArray(),
            SignerId = ReadOnlyMemory<byte>.Empty,
            Debug = (td[512] & 1) != 0,
            ReportData = td.AsSpan(128, 64).ToArray(),
            // Not evaluated: nothing Intel-signed is at hand; NotSupported never passes a TCB policy.
            TcbStatus = TcbStatus.NotSupported,
            Fields = fields,
        };
    }

    /// <summary>The hardware claims, re-labelled as Azure vTPM evidence: report data is the quote nonce; vTPM values join the fields.</summary>
    private static AttestationClaims Claims(AttestationClaims hardware, HclReport hcl, HclRuntimeData runtime, TpmQuote quote, AzureVtpmEvidence envelope, bool hardwareVerified)
    {
        var fields = new Dictionary<string, string>(hardware.Fields, StringComparer.Ordinal)
        {
            ["hardware_verified"] = hardwareVerified ? "true" : "false",
            ["hardware_report_data"] = Convert.ToHexStringLower(hcl.HardwareReportData),
            ["hcl_header_version"] = hcl.HeaderVersion.ToString(CultureInfo.InvariantCulture),
            ["envelope_version"] = envelope.Version.ToString(CultureInfo.InvariantCulture),
            ["vtpm_ak_modulus_sha256"] = Convert.ToHexStringLower(SHA256.HashData(runtime.AttestationKey.Modulus ?? [])),
            ["tpm_nonce"] = Convert.ToHexStringLower(quote.ExtraData),
            ["tpm_qualified_signer"] = Convert.ToHexStringLower(quote.QualifiedSigner),
            ["tpm_pcr_digest"] = Convert.ToHexStringLower(quote.PcrDigest),
            ["tpm_pcr_selection"] = string.Join(";", quote.Selection.Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Hash:X4}:{string.Join(",", s.Pcrs)}"))),
            ["tpm_pcr_values_supplied"] = quote.PcrValues.Count > 0 ? "true" : "false",
            ["tpm_clock"] = quote.ClockInfo.Clock.ToString(CultureInfo.InvariantCulture),
            ["tpm_reset_count"] = quote.ClockInfo.ResetCount.ToString(CultureInfo.InvariantCulture),
            ["tpm_restart_count"] = quote.ClockInfo.RestartCount.ToString(CultureInfo.InvariantCulture),
            ["tpm_firmware_version"] = string.Create(CultureInfo.InvariantCulture, $"0x{quote.FirmwareVersion:x16}"),
        };
        if (runtime.UserData is { } user)
        {
            fields["hcl_user_data"] = user;
        }

        foreach (var (name, value) in runtime.VmConfiguration)
        {
            fields["vm_configuration_" + name] = value;
        }

        if (quote.Selection.Count == 1 && quote.Selection[0].Hash == TpmQuote.AlgSha256)
        {
            for (int i = 0; i < quote.PcrValues.Count; i++)
            {
                fields[string.Create(CultureInfo.InvariantCulture, $"pcr{quote.Selection[0].Pcrs[i]}")] = Convert.ToHexStringLower(quote.PcrValues[i]);
            }
        }

        return new AttestationClaims
        {
            Format = EvidenceFormats.AzureVtpm,
            Tee = hardware.Tee,
            UniqueId = hardware.UniqueId,
            SignerId = hardware.SignerId,
            ProductId = hardware.ProductId,
            SecurityVersion = hardware.SecurityVersion,
            Debug = hardware.Debug,
            ReportData = quote.ExtraData,
            TcbStatus = hardware.TcbStatus,
            AdvisoryIds = hardware.AdvisoryIds,
            TcbDate = hardware.TcbDate,
            TcbEvaluationDataNumber = hardware.TcbEvaluationDataNumber,
            CollateralValidFrom = hardware.CollateralValidFrom,
            CollateralValidUntil = hardware.CollateralValidUntil,
            Fmspc = hardware.Fmspc,
            PceId = hardware.PceId,
            Fields = fields,
        };
    }
}
