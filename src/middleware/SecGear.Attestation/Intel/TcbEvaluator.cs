namespace SecGear.Attestation.Intel;

/// <summary>
/// Intel's TCB-level algorithm (QVL <c>TcbLevelCheck</c>, <c>TdxModuleCheck</c>, <c>TDRelaunchCheck</c>): matches the
/// platform's SVNs against the TCB info levels, applies the TDX module identity and the TD relaunch rule, and
/// converges the result with the QE's TCB status as QVL's <c>convergeTcbStatus</c> does: a QE that is not UpToDate
/// makes UpToDate/SWHardeningNeeded OutOfDate and the Configuration* statuses OutOfDateConfigurationNeeded, and a QE at a
/// Revoked level or below every level makes the status Revoked. Advisory ids are those of the matched platform TCB
/// level followed by the QE level's (merged without repeats, as QVL's supplemental advisory list); the module's are
/// reported separately.
/// </summary>
internal static class TcbEvaluator
{
    /// <summary>The QE's TCB status: that of its matched QE identity level, or Revoked when no level matches (QVL).</summary>
    public static TcbStatus QeStatus(IsvTcbLevel? qeLevel) => qeLevel?.Status ?? TcbStatus.Revoked;

    public static TcbEvaluation Evaluate(DcapQuote quote, PckExtension pck, TcbInfo info, IsvTcbLevel? qeLevel)
    {
        var qeStatus = QeStatus(qeLevel);
        var td = quote.TdBody;
        TcbLevel? sgxLevel = info.TcbLevels.FirstOrDefault(level => SgxMatches(pck, level));
        TcbLevel? level = td is null ? sgxLevel : info.TcbLevels.FirstOrDefault(l => SgxMatches(pck, l) && TdxMatches(td.TeeTcbSvn, l));
        if (level is null)
        {
            return new TcbEvaluation(TcbStatus.NotSupported, [], null, sgxLevel?.Status, null, [], null);
        }

        var status = level.Status;
        TcbStatus? moduleStatus = null;
        IReadOnlyList<string> moduleAdvisories = [];
        if (td is not null)
        {
            var module = EvaluateModule(td, info, out var moduleFailure);
            if (moduleFailure is not null)
            {
                return new TcbEvaluation(status, level.AdvisoryIds, level.TcbDate, sgxLevel?.Status, null, [], moduleFailure);
            }

            if (module is not null)
            {
                moduleStatus = module.Status;
                moduleAdvisories = module.AdvisoryIds;
                status = ConvergeWithModule(status, module.Status);
            }

            if (td.IsVersion15 && RelaunchAdvised(td, info, sgxLevel, status, moduleStatus, qeStatus))
            {
                status = status == TcbStatus.OutOfDateConfigurationNeeded ? TcbStatus.TDRelaunchAdvisedConfigurationNeeded : TcbStatus.TDRelaunchAdvised;
            }
        }

        status = ConvergeWithQe(status, qeStatus);
        IReadOnlyList<string> advisories = qeLevel is { AdvisoryIds.Count: > 0 } ? [.. level.AdvisoryIds.Union(qeLevel.AdvisoryIds, StringComparer.Ordinal)] : level.AdvisoryIds;
        return new TcbEvaluation(status, advisories, level.TcbDate, sgxLevel?.Status, moduleStatus, moduleAdvisories, null);
    }

    private static bool SgxMatches(PckExtension pck, TcbLevel level)
    {
        for (int i = 0; i < 16; i++)
        {
            if (pck.SgxComponents[i] < level.SgxComponents[i])
            {
                return false;
            }
        }

        return pck.PceSvn >= level.PceSvn;
    }

    /// <summary>TEE_TCB_SVN against tdxtcbcomponents; bytes 0 and 1 are the module's and checked by its identity when major &gt; 0.</summary>
    private static bool TdxMatches(ReadOnlySpan<byte> teeTcbSvn, TcbLevel level)
    {
        if (level.TdxComponents.Count != 16)
        {
            return false;
        }

        for (int i = teeTcbSvn[1] > 0 ? 2 : 0; i < 16; i++)
        {
            if (teeTcbSvn[i] < level.TdxComponents[i])
            {
                return false;
            }
        }

        return true;
    }

    private static IsvTcbLevel? EvaluateModule(TdReportBody td, TcbInfo info, out AttestationFailure? failure)
    {
        failure = null;
        int major = td.TeeTcbSvn[1];
        if (major == 0)
        {
            if (info.TdxModule is { } legacy && !ModuleMatches(td, legacy))
            {
                failure = ModuleMismatch(td, legacy);
            }

            return null;
        }

        string id = $"TDX_{major:X2}";
        var identity = info.TdxModuleIdentities.FirstOrDefault(m => string.Equals(m.Id, id, StringComparison.OrdinalIgnoreCase));
        if (identity is null)
        {
            failure = new AttestationFailure(AttestationFailureCode.TdxModuleMismatch, $"TCB info has no tdxModuleIdentities entry '{id}' for TDX module major version {major}");
            return null;
        }

        if (!ModuleMatches(td, identity))
        {
            failure = ModuleMismatch(td, identity);
            return null;
        }

        var level = IsvTcbLevel.Match(identity.TcbLevels, td.TeeTcbSvn[0]);
        if (level is null)
        {
            failure = new AttestationFailure(AttestationFailureCode.TcbLevelNotSupported, $"TDX module SVN {td.TeeTcbSvn[0]} is below every level of module identity '{id}'");
        }

        return level;
    }

    private static bool ModuleMatches(TdReportBody td, TdxModuleIdentity identity)
    {
        if (!td.MrSignerSeam.SequenceEqual(identity.MrSigner.Span))
        {
            return false;
        }

        var attributes = td.SeamAttributes;
        for (int i = 0; i < 8; i++)
        {
            if ((attributes[i] & identity.AttributesMask.Span[i]) != identity.Attributes.Span[i])
            {
                return false;
            }
        }

        return true;
    }

    private static AttestationFailure ModuleMismatch(TdReportBody td, TdxModuleIdentity identity) => new(
        AttestationFailureCode.TdxModuleMismatch,
        $"TDX module MRSIGNERSEAM {Hex.Lower(td.MrSignerSeam)} / SEAMATTRIBUTES {Hex.Lower(td.SeamAttributes)} do not match module identity "
        + $"'{(identity.Id.Length == 0 ? "tdxModule" : identity.Id)}' (mrsigner {Hex.Lower(identity.MrSigner.Span)}, attributes {Hex.Lower(identity.Attributes.Span)} under mask {Hex.Lower(identity.AttributesMask.Span)})");

    private static TcbStatus ConvergeWithModule(TcbStatus platform, TcbStatus module) => module switch
    {
        TcbStatus.OutOfDate => platform switch
        {
            TcbStatus.UpToDate or TcbStatus.SWHardeningNeeded => TcbStatus.OutOfDate,
            TcbStatus.ConfigurationNeeded or TcbStatus.ConfigurationAndSWHardeningNeeded => TcbStatus.OutOfDateConfigurationNeeded,
            _ => platform,
        },
        TcbStatus.Revoked => TcbStatus.Revoked,
        _ => platform,
    };

    /// <summary>QVL reads a QE level as UpToDate, Revoked, or otherwise out of date (STATUS_SGX_ENCLAVE_REPORT_ISVSVN_OUT_OF_DATE).</summary>
    private static TcbStatus ConvergeWithQe(TcbStatus platform, TcbStatus qe) => qe switch
    {
        TcbStatus.UpToDate => platform,
        TcbStatus.Revoked => TcbStatus.Revoked,
        _ => platform switch
        {
            TcbStatus.UpToDate or TcbStatus.SWHardeningNeeded => TcbStatus.OutOfDate,
            TcbStatus.ConfigurationNeeded or TcbStatus.ConfigurationAndSWHardeningNeeded => TcbStatus.OutOfDateConfigurationNeeded,
            _ => platform,
        },
    };

    /// <summary>QVL <c>checkForRelaunch</c>: the module was updated in place (TEE_TCB_SVN2) to the newest level.</summary>
    private static bool RelaunchAdvised(TdReportBody td, TcbInfo info, TcbLevel? sgxLevel, TcbStatus status, TcbStatus? moduleStatus, TcbStatus qeStatus)
    {
        if (qeStatus is TcbStatus.OutOfDate or TcbStatus.Revoked or TcbStatus.OutOfDateConfigurationNeeded
            || sgxLevel?.Status is not (TcbStatus.UpToDate or TcbStatus.SWHardeningNeeded or TcbStatus.ConfigurationNeeded or TcbStatus.ConfigurationAndSWHardeningNeeded)
            || status is not (TcbStatus.OutOfDate or TcbStatus.OutOfDateConfigurationNeeded)
            || moduleStatus != TcbStatus.OutOfDate)
        {
            return false;
        }

        var svn2 = td.TeeTcbSvn2;
        var newest = info.TcbLevels[0];
        if (newest.TdxComponents.Count != 16 || svn2[2] < newest.TdxComponents[2])
        {
            return false;
        }

        if (svn2[1] == 0)
        {
            return svn2[0] >= newest.TdxComponents[0];
        }

        string id = $"TDX_{svn2[1]:X2}";
        var identity = info.TdxModuleIdentities.FirstOrDefault(m => string.Equals(m.Id, id, StringComparison.OrdinalIgnoreCase));
        return identity is { TcbLevels.Count: > 0 } && svn2[0] >= identity.TcbLevels[0].IsvSvn;
    }
}
