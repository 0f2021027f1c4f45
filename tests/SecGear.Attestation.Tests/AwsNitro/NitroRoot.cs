
namespace SecGear.Attestation.Tests.AwsNitro;

/// <summary>Reads the pinned AWS root from the test vectors.</summary>
internal static class NitroRoot
{
    public static byte[] AwsRootDer()
    {
        var pem = System.Text.Encoding.ASCII.GetString(TestVectors.Read("roots/aws/AWS_NitroEnclaves_Root-G1.pem"));
        using var certificate = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(pem);
        return certificate.RawData;
    }
}
