namespace SecGear.AttestationService.Security;

/// <summary>The section <c>AttestationService:AdminJwt</c>: who may issue administrator JWTs.</summary>
public sealed class AdminJwtOptions
{
    /// <summary>The required <c>iss</c>.</summary>
    public string? Issuer { get; set; }

    /// <summary>The required <c>aud</c>.</summary>
    public string? Audience { get; set; }

    /// <summary>PEM public keys (SubjectPublicKeyInfo, EC or RSA) of the issuer; none = admin JWTs disabled.</summary>
    public IList<string> PublicKeyFiles { get; } = [];
}
