namespace SecGear.Attestation.Intel;

/// <summary>Options of <see cref="PcsCollateralProvider"/>.</summary>
public sealed class PcsCollateralProviderOptions
{
    /// <summary>Base address of Intel PCS or a PCCS (PCS v4 paths are appended). Default: Intel PCS.</summary>
    public Uri BaseAddress { get; init; } = new("https://api.trustedservices.intel.com/");

    /// <summary>Where the root CA CRL is fetched (DER or hex). Default: Intel's published CRL.</summary>
    public Uri RootCaCrlAddress { get; init; } = new("https://certificates.trustedservices.intel.com/IntelSGXRootCA.der");

    /// <summary>How long fetched collateral is reused at most (it is never reused past its own validity). Default 1 hour.</summary>
    public TimeSpan CacheDuration { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Largest response body accepted, in bytes (default 1 MiB).</summary>
    public int MaxResponseSize { get; init; } = IntelCollateral.MaxSize;

    /// <summary>Clock used for cache expiry.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
