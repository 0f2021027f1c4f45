namespace SecGear.Attestation;

/// <summary>A platform's TCB status in Intel's words (TCB info <c>tcbStatus</c> and the QVL's converged results).</summary>
public enum TcbStatus
{
    /// <summary>No TCB level matches the platform (Intel: TCB not supported).</summary>
    NotSupported = 0,

    /// <summary>The platform is up to date.</summary>
    UpToDate,

    /// <summary>Up to date; software hardening is needed for some advisories.</summary>
    SWHardeningNeeded,

    /// <summary>Up to date; the platform's configuration needs changes.</summary>
    ConfigurationNeeded,

    /// <summary>Up to date; configuration changes and software hardening are needed.</summary>
    ConfigurationAndSWHardeningNeeded,

    /// <summary>The platform's TCB is out of date.</summary>
    OutOfDate,

    /// <summary>Out of date, and the configuration needs changes.</summary>
    OutOfDateConfigurationNeeded,

    /// <summary>The TCB level is revoked.</summary>
    Revoked,

    /// <summary>The TDX module was updated in place; relaunching the TD brings it up to date.</summary>
    TDRelaunchAdvised,

    /// <summary>TD relaunch advised, and the configuration needs changes.</summary>
    TDRelaunchAdvisedConfigurationNeeded,
}
