namespace SecGear.Attestation;

/// <summary>Converts between <see cref="TcbStatus"/> and Intel's <c>tcbStatus</c> words.</summary>
public static class TcbStatusNames
{
    /// <summary>Parses an Intel <c>tcbStatus</c> word; returns false for anything unknown.</summary>
    public static bool TryParse(string? text, out TcbStatus status)
    {
        switch (text)
        {
            case "UpToDate": status = TcbStatus.UpToDate; return true;
            case "SWHardeningNeeded": status = TcbStatus.SWHardeningNeeded; return true;
            case "ConfigurationNeeded": status = TcbStatus.ConfigurationNeeded; return true;
            case "ConfigurationAndSWHardeningNeeded": status = TcbStatus.ConfigurationAndSWHardeningNeeded; return true;
            case "OutOfDate": status = TcbStatus.OutOfDate; return true;
            case "OutOfDateConfigurationNeeded": status = TcbStatus.OutOfDateConfigurationNeeded; return true;
            case "Revoked": status = TcbStatus.Revoked; return true;
            case "TDRelaunchAdvised": status = TcbStatus.TDRelaunchAdvised; return true;
            case "TDRelaunchAdvisedConfigurationNeeded": status = TcbStatus.TDRelaunchAdvisedConfigurationNeeded; return true;
            case "NotSupported": status = TcbStatus.NotSupported; return true;
            default: status = TcbStatus.NotSupported; return false;
        }
    }

    /// <summary>Intel's word for a status (the enum member name).</summary>
    public static string ToName(TcbStatus status) => status.ToString();
}
