using System.Security.Cryptography;
using System.Text;

namespace SecGear.Identity;

/// <summary>
/// The report data of evidence the <b>host</b> asks an enclave for (<c>Enclave.GetEvidence</c>, <c>secgear attest</c>).
/// The trusted runtime never binds host-chosen bytes as they are: it binds
/// <c>SHA-512("SecGear.NET host-requested report data v1" || 0x00 || data zero-padded to 64 bytes)</c>, so evidence a
/// host obtained can never carry a value that enclave code binds itself (e.g. the hash of a key the enclave holds, which
/// a key broker releases secrets to). A verifier that checks a nonce it gave the host applies the same construction
/// (<c>AttestationPolicy.ExpectedHostReportData</c>); one that checks an enclave-bound key uses the raw value
/// (<c>AttestationPolicy.ExpectedReportData</c>) and so refuses host-requested evidence.
/// </summary>
public static class HostReportData
{
    /// <summary>The domain-separation label hashed before the host's bytes. Enclave code must never hash this label itself.</summary>
    public const string Label = "SecGear.NET host-requested report data v1";

    private static readonly byte[] Prefix = [.. Encoding.ASCII.GetBytes(Label), 0];

    /// <summary>The 64 bytes of report data bound into evidence the host requested with <paramref name="hostData"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="hostData"/> is longer than <see cref="EvidenceLimits.MaxReportDataLength"/>.</exception>
    public static byte[] Derive(ReadOnlySpan<byte> hostData)
    {
        if (hostData.Length > EvidenceLimits.MaxReportDataLength)
        {
            throw new ArgumentException($"Report data is {hostData.Length} bytes; at most {EvidenceLimits.MaxReportDataLength} are bound.", nameof(hostData));
        }

        // Zero-padding first keeps the "short report data is zero-padded" rule: "ab" and "ab\0" request the same binding.
        Span<byte> padded = stackalloc byte[EvidenceLimits.MaxReportDataLength];
        padded.Clear();
        hostData.CopyTo(padded);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA512);
        hash.AppendData(Prefix);
        hash.AppendData(padded);
        return hash.GetHashAndReset();
    }
}
