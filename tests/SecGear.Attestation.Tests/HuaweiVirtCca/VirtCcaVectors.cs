using System.Formats.Cbor;
using System.Security.Cryptography;
using System.Security.Cryptography.Cose;
using System.Security.Cryptography.X509Certificates;
using SecGear.Attestation.HuaweiVirtCca;

namespace SecGear.Attestation.Tests.HuaweiVirtCca;

/// <summary>VCCA-1 (secGear's recorded virtCCA token and AIK certificate) and builders for tokens that carry a platform token.</summary>
internal static class VirtCcaVectors
{
    public const string Dir = "virtcca/secgear/";

    /// <summary>Inside the AIK's validity (2024-05-28..2039-05-25) and the Huawei chain's.</summary>
    public static readonly DateTimeOffset Time = TestVectors.At("2025-06-01T00:00:00Z");

    /// <summary>The token is stored as hex text.</summary>
    public static byte[] Token() => TestVectors.ReadHex(Dir + "virtcca.cbor");

    public static VirtCcaCollateral Collateral() => VirtCcaCollateral.Load(
    [
        TestVectors.Read(Dir + "virtcca_aik_cert.der"),
        TestVectors.Read("roots/huawei/Huawei_IT_Product_CA.pem"),
        TestVectors.Read("roots/huawei/Huawei_Equipment_Root_CA.pem"),
    ]);

    /// <summary>The realm token (COSE_Sign1 bytes) of VCCA-1.</summary>
    public static byte[] RealmToken()
    {
        var reader = new CborReader(Token());
        reader.ReadTag();
        reader.ReadStartMap();
        reader.ReadInt32();
        return reader.ReadByteString();
    }

    /// <summary>The RAK (claim 44237) of VCCA-1, as encoded.</summary>
    public static byte[] Rak() => (VirtCcaToken.TryParse(Token(), out var token, out var failure) ? token : throw new InvalidOperationException(failure.ToString())).Realm.PublicKey;

    /// <summary>A collection of the given realm token and a platform token signed by <paramref name="aik"/> with the given challenge.</summary>
    public static byte[] WithPlatform(byte[] realmToken, RSA aik, byte[] challenge)
    {
        var claims = new CborWriter();
        claims.WriteStartMap(3);
        claims.WriteInt32(265);
        claims.WriteTextString("tag:huawei.com,2024:virtcca_platform#1.0.0");
        claims.WriteInt32(10);
        claims.WriteByteString(challenge);
        claims.WriteInt32(2395);
        claims.WriteInt32(0x3000);
        claims.WriteEndMap();
        var platform = CoseSign1Message.SignEmbedded(claims.Encode(), new CoseSigner(aik, RSASignaturePadding.Pss, HashAlgorithmName.SHA256));
        var writer = new CborWriter();
        writer.WriteTag((CborTag)399);
        writer.WriteStartMap(2);
        writer.WriteInt32(44241);
        writer.WriteByteString(realmToken);
        writer.WriteInt32(44234);
        writer.WriteByteString(platform);
        writer.WriteEndMap();
        return writer.Encode();
    }

    /// <summary>A test device: an RSA root CA and an AIK certificate it issued; the verifier pins the root.</summary>
    public sealed class TestDevice : IDisposable
    {
        public TestDevice()
        {
            RootKey = RSA.Create(2048);
            Aik = RSA.Create(2048);
            var rootRequest = new CertificateRequest("CN=Test Equipment CA, O=SecGear test", RootKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            rootRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
            Root = rootRequest.CreateSelfSigned(TestVectors.At("2020-01-01T00:00:00Z"), TestVectors.At("2040-01-01T00:00:00Z"));
            var aikRequest = new CertificateRequest("CN=TESTDEVICE0001, O=SecGear test", Aik, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            AikCertificate = aikRequest.Create(Root, TestVectors.At("2021-01-01T00:00:00Z"), TestVectors.At("2039-01-01T00:00:00Z"), [1, 2, 3, 4]);
            Options = new VirtCcaVerifierOptions { Roots = TrustAnchors.FromFingerprints([]).Add(Root.RawData) };
        }

        public RSA RootKey { get; }

        public RSA Aik { get; }

        public X509Certificate2 Root { get; }

        public X509Certificate2 AikCertificate { get; }

        public VirtCcaVerifierOptions Options { get; }

        public VirtCcaCollateral Collateral() => VirtCcaCollateral.Load([AikCertificate.RawData, Root.RawData]);

        public void Dispose()
        {
            RootKey.Dispose();
            Aik.Dispose();
            Root.Dispose();
            AikCertificate.Dispose();
        }
    }
}
