using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace SecGear.Attestation.X509;

/// <summary>Reads concatenated PEM certificates (PCK and issuer chains), tolerating trailing NULs and whitespace.</summary>
internal static class PemCertificates
{
    /// <summary>At most this many certificates are read from one chain; Intel chains have two or three.</summary>
    public const int MaxCertificates = 8;

    /// <summary>Reads every certificate, in order. Throws <see cref="CryptographicException"/> when none or malformed.</summary>
    public static List<X509Certificate2> Read(ReadOnlySpan<byte> pem)
    {
        int end = pem.Length;
        while (end > 0 && pem[end - 1] == 0)
        {
            end--;
        }

        if (pem[..end].IndexOf((byte)0) >= 0)
        {
            throw new CryptographicException("certificate chain contains a NUL byte before its end");
        }

        var text = Encoding.ASCII.GetString(pem[..end]).AsSpan();
        var certificates = new List<X509Certificate2>();
        while (PemEncoding.TryFind(text, out var fields))
        {
            if (!text[fields.Label].SequenceEqual("CERTIFICATE"))
            {
                throw new CryptographicException($"unexpected PEM block '{text[fields.Label]}' in certificate chain");
            }

            if (certificates.Count == MaxCertificates)
            {
                throw new CryptographicException($"certificate chain has more than {MaxCertificates} certificates");
            }

            var der = new byte[fields.DecodedDataLength];
            if (!Convert.TryFromBase64Chars(text[fields.Base64Data], der, out int written) || written != der.Length)
            {
                throw new CryptographicException("certificate PEM block is not valid base64");
            }

            certificates.Add(X509CertificateLoader.LoadCertificate(der));
            text = text[fields.Location.End..];
        }

        if (certificates.Count == 0)
        {
            throw new CryptographicException("no PEM certificate found");
        }

        if (!text.Trim().IsEmpty)
        {
            throw new CryptographicException("certificate chain has trailing data after the last certificate");
        }

        return certificates;
    }
}
