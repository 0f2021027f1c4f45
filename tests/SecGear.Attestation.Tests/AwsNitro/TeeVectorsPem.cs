using SecGear.Attestation.Tests.Tee;

namespace SecGear.Attestation.Tests.AwsNitro;

/// <summary>Reads the pinned AWS root from the test vectors.</summary>
internal static class TeeVectorsPem
{
    public static byte[] AwsRootDer()
    {
        var pem = System.Text.Encoding.ASCII.GetString(TeeVectors.Read("roots/aws/AWS_NitroEnclaves_Root-G1.pem"));
        using var certificate = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(pem);
        return certificate.RawData;
    }
}
