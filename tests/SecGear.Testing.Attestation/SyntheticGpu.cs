using System.Buffers.Binary;
using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using SecGear.Attestation.NvidiaGpu;

namespace SecGear.Testing;

/// <summary>
/// A test device PKI shaped like NVIDIA's (root → per-device BROM CA → firmware leaf carrying the FWID extension) and
/// GPUs that answer SPDM 1.1 GET_MEASUREMENTS with any nonce. Real H100 evidence has a fixed nonce; this is what lets
/// tests bind GPU evidence to a fresh challenge. Trust it only by adding <see cref="RootCertificate"/> as an anchor.
/// </summary>
public sealed class SyntheticGpu : IDisposable
{
    private static readonly DateTimeOffset NotBefore = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset NotAfter = new(2034, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly ECDsa _rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP384);
    private readonly ECDsa _bromKey = ECDsa.Create(ECCurve.NamedCurves.nistP384);
    private readonly ECDsa _leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP384);

    /// <summary>Creates a device with its own BROM serial number under a new (or the given) root.</summary>
    public SyntheticGpu(string deviceSerial = "5A17E7A1C0FFEE0001", SyntheticGpu? sameRootAs = null)
    {
        DeviceSerial = deviceSerial;
        Fwid = SHA384.HashData(Encoding.ASCII.GetBytes("synthetic firmware " + deviceSerial));
        if (sameRootAs is not null)
        {
            _rootKey.ImportParameters(sameRootAs._rootKey.ExportParameters(includePrivateParameters: true));
            RootCertificate = X509CertificateLoader.LoadCertificate(sameRootAs.RootCertificate.RawData);
        }
        else
        {
            var rootRequest = new CertificateRequest("CN=Synthetic Device Identity CA, O=SecGear Tests", _rootKey, HashAlgorithmName.SHA384);
            rootRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
            rootRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
            RootCertificate = rootRequest.CreateSelfSigned(NotBefore, NotAfter);
        }

        var bromRequest = new CertificateRequest($"SERIALNUMBER={deviceSerial}, CN=GH100 A01 GSP BROM, O=SecGear Tests", _bromKey, HashAlgorithmName.SHA384);
        bromRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        bromRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        BromCertificate = bromRequest.Create(RootCertificate.SubjectName, X509SignatureGenerator.CreateForECDsa(_rootKey), NotBefore, NotAfter, [1, 2]);

        var leafRequest = new CertificateRequest("CN=GH100 A01 GSP FMC LF, O=SecGear Tests", _leafKey, HashAlgorithmName.SHA384);
        leafRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        leafRequest.CertificateExtensions.Add(new X509Extension("2.23.133.5.4.1", FwidExtension(_bromKey.ExportSubjectPublicKeyInfo(), Fwid), critical: false));
        LeafCertificate = leafRequest.Create(BromCertificate.SubjectName, X509SignatureGenerator.CreateForECDsa(_bromKey), NotBefore, NotAfter, [3, 4]);
    }

    /// <summary>A verification time inside every certificate's validity.</summary>
    public static DateTimeOffset ValidTime { get; } = new(2025, 6, 1, 0, 0, 0, TimeSpan.Zero);

    public X509Certificate2 RootCertificate { get; }

    public X509Certificate2 BromCertificate { get; }

    public X509Certificate2 LeafCertificate { get; }

    public byte[] Fwid { get; }

    /// <summary>The BROM's serial number: the device id in the claims.</summary>
    public string DeviceSerial { get; }

    /// <summary>The issuer key of <see cref="LeafCertificate"/> (for OCSP responses about the leaf).</summary>
    public ECDsa BromKey => _bromKey;

    /// <summary>The issuer key of <see cref="BromCertificate"/>.</summary>
    public ECDsa RootKey => _rootKey;

    /// <summary>The device chain as PEM, leaf first, root last.</summary>
    public string ChainPem => LeafCertificate.ExportCertificatePem() + "\n" + BromCertificate.ExportCertificatePem() + "\n" + RootCertificate.ExportCertificatePem() + "\n";

    /// <summary>A signed SPDM 1.1 measurement report for <paramref name="nonce"/> with <paramref name="blocks"/> SHA-384 blocks.</summary>
    public byte[] Report(ReadOnlySpan<byte> nonce, int blocks = 4, string driverVersion = "550.90.07", byte[]? fwid = null)
    {
        if (nonce.Length != SpdmMeasurementReport.NonceSize)
        {
            throw new ArgumentException("the SPDM requester nonce is 32 bytes", nameof(nonce));
        }

        var report = new List<byte> { 0x11, 0xE0, 0x01, 0xFF };
        report.AddRange(nonce.ToArray());
        report.Add(0);
        var record = new List<byte>();
        for (int i = 1; i <= blocks; i++)
        {
            record.AddRange([(byte)i, 0x01, 51, 0, 0x01, 48, 0]);
            record.AddRange(Measurement(i));
        }

        report.AddRange([0x11, 0x60, 0x00, 0x00, (byte)blocks, (byte)record.Count, (byte)(record.Count >> 8), (byte)(record.Count >> 16)]);
        report.AddRange(record);
        report.AddRange(RandomNumberGenerator.GetBytes(32));
        var opaque = new List<byte>();
        Field(opaque, NvidiaOpaqueData.VbiosVersionType, [0x00, 0x9F, 0x00, 0x96, 0x01, 0x00, 0x00, 0x00]);
        Field(opaque, NvidiaOpaqueData.DriverVersionType, [.. Encoding.ASCII.GetBytes(driverVersion), 0]);
        Field(opaque, NvidiaOpaqueData.Nvdec0StatusType, [0x55]);
        Field(opaque, NvidiaOpaqueData.FwidType, fwid ?? Fwid);
        report.AddRange([(byte)opaque.Count, (byte)(opaque.Count >> 8)]);
        report.AddRange(opaque);
        var signed = report.ToArray();
        return [.. signed, .. _leafKey.SignData(signed, HashAlgorithmName.SHA384, DSASignatureFormat.IeeeP1363FixedFieldConcatenation)];
    }

    /// <summary>The value of block <paramref name="index"/> (1-based) in every report this device makes.</summary>
    public static byte[] Measurement(int index) => SHA384.HashData(BitConverter.GetBytes(index));

    /// <summary>Evidence for <paramref name="nonce"/>: report and chain in the canonical text form.</summary>
    public byte[] Evidence(ReadOnlySpan<byte> nonce) => NvidiaGpuEvidence.Encode(Report(nonce), Encoding.ASCII.GetBytes(ChainPem));

    public void Dispose()
    {
        _rootKey.Dispose();
        _bromKey.Dispose();
        _leafKey.Dispose();
        RootCertificate.Dispose();
        BromCertificate.Dispose();
        LeafCertificate.Dispose();
    }

    private static void Field(List<byte> opaque, int type, byte[] value)
    {
        Span<byte> header = stackalloc byte[4];
        BinaryPrimitives.WriteUInt16LittleEndian(header, (ushort)type);
        BinaryPrimitives.WriteUInt16LittleEndian(header[2..], (ushort)value.Length);
        opaque.AddRange(header.ToArray());
        opaque.AddRange(value);
    }

    private static byte[] FwidExtension(byte[] bromSpki, byte[] fwid)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteInteger(1);
            writer.WriteEncodedValue(bromSpki);
            using (writer.PushSequence())
            {
                writer.WriteObjectIdentifier("2.16.840.1.101.3.4.2.2");
                writer.WriteOctetString(fwid);
            }
        }

        return writer.Encode();
    }
}
