using System.Security.Cryptography;

namespace SecGear.RaTls;

/// <summary>How <see cref="RaTlsCertificate.Create"/> shapes the certificate.</summary>
public sealed class RaTlsCertificateOptions
{
    /// <summary>The subject (and issuer) distinguished name. Default <c>CN=SecGear.NET RA-TLS</c>.</summary>
    public string SubjectName { get; init; } = "CN=SecGear.NET RA-TLS";

    /// <summary>DNS names for the subject alternative name extension; empty = no such extension. Default <c>localhost</c>.</summary>
    public IReadOnlyList<string> DnsNames { get; init; } = ["localhost"];

    /// <summary>The key's curve: NIST P-256 (default) or P-384.</summary>
    public ECCurve Curve { get; init; } = ECCurve.NamedCurves.nistP256;

    /// <summary>How long the certificate is valid from creation (default one day). The key is ephemeral: make a new certificate rather than a long-lived one.</summary>
    public TimeSpan Validity { get; init; } = TimeSpan.FromDays(1);

    /// <summary>The clock for the validity period (default the system clock).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
