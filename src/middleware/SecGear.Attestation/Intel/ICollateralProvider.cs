namespace SecGear.Attestation.Intel;

/// <summary>Supplies Intel DCAP collateral for a platform (e.g. from Intel PCS or a PCCS, with caching).</summary>
public interface ICollateralProvider
{
    /// <summary>
    /// Returns collateral for the platform. Throws <see cref="AttestationException"/> with
    /// <see cref="AttestationFailureCode.CollateralUnavailable"/> or <see cref="AttestationFailureCode.CollateralMalformed"/>.
    /// </summary>
    Task<IntelCollateral> GetCollateralAsync(IntelCollateralRequest request, CancellationToken cancellationToken = default);
}
