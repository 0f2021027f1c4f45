using System.Formats.Asn1;
using System.Numerics;
using System.Security.Cryptography.X509Certificates;

namespace SecGear.Attestation.Intel;

/// <summary>The Intel SGX extension (OID 1.2.840.113741.1.13.1) of a PCK certificate: platform TCB and ids.</summary>
public sealed class PckExtension
{
    /// <summary>The SGX extension OID.</summary>
    public const string Oid = "1.2.840.113741.1.13.1";

    private PckExtension(int[] components, int pceSvn, byte[] cpuSvn, byte[] pceId, byte[] fmspc)
    {
        SgxComponents = components;
        PceSvn = pceSvn;
        CpuSvn = cpuSvn;
        PceId = pceId;
        Fmspc = fmspc;
    }

    /// <summary>The 16 SGX TCB component SVNs.</summary>
    public IReadOnlyList<int> SgxComponents { get; }

    /// <summary>PCESVN.</summary>
    public int PceSvn { get; }

    /// <summary>CPUSVN (16 bytes).</summary>
    public ReadOnlyMemory<byte> CpuSvn { get; }

    /// <summary>PCE id (2 bytes).</summary>
    public ReadOnlyMemory<byte> PceId { get; }

    /// <summary>FMSPC (6 bytes).</summary>
    public ReadOnlyMemory<byte> Fmspc { get; }

    /// <summary>Reads the extension from a PCK certificate. Throws <see cref="FormatException"/> when absent or malformed.</summary>
    public static PckExtension Read(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var extension = certificate.Extensions[Oid] ?? throw new FormatException($"PCK certificate has no SGX extension ({Oid})");
        try
        {
            int[]? components = null;
            int pceSvn = -1;
            byte[]? cpuSvn = null;
            byte[]? pceId = null;
            byte[]? fmspc = null;
            var outer = new AsnReader(extension.RawData, AsnEncodingRules.DER);
            var items = outer.ReadSequence();
            outer.ThrowIfNotEmpty();
            while (items.HasData)
            {
                var item = items.ReadSequence();
                var oid = item.ReadObjectIdentifier();
                switch (oid)
                {
                    case Oid + ".2":
                        (components, pceSvn, cpuSvn) = ReadTcb(item.ReadSequence());
                        break;
                    case Oid + ".3":
                        pceId = item.ReadOctetString();
                        break;
                    case Oid + ".4":
                        fmspc = item.ReadOctetString();
                        break;
                    default:
                        item.ReadEncodedValue();
                        break;
                }
            }

            if (components is null || pceSvn < 0 || cpuSvn is null || pceId is not { Length: 2 } || fmspc is not { Length: 6 })
            {
                throw new FormatException("PCK SGX extension lacks TCB, PCESVN, CPUSVN, PCE-ID (2 bytes) or FMSPC (6 bytes)");
            }

            return new PckExtension(components, pceSvn, cpuSvn, pceId, fmspc);
        }
        catch (AsnContentException ex)
        {
            throw new FormatException($"PCK SGX extension is not valid DER: {FailureText.Of(ex)}", ex);
        }
    }

    private static (int[] Components, int PceSvn, byte[] CpuSvn) ReadTcb(AsnReader tcb)
    {
        var components = new int[16];
        var seen = new bool[16];
        int pceSvn = -1;
        byte[]? cpuSvn = null;
        while (tcb.HasData)
        {
            var entry = tcb.ReadSequence();
            var oid = entry.ReadObjectIdentifier();
            var prefix = Oid + ".2.";
            if (!oid.StartsWith(prefix, StringComparison.Ordinal) || !int.TryParse(oid.AsSpan(prefix.Length), out int index))
            {
                entry.ReadEncodedValue();
                continue;
            }

            if (index is >= 1 and <= 16)
            {
                components[index - 1] = SmallInt(entry.ReadInteger());
                seen[index - 1] = true;
            }
            else if (index == 17)
            {
                pceSvn = SmallInt(entry.ReadInteger());
            }
            else if (index == 18)
            {
                cpuSvn = entry.ReadOctetString();
            }
            else
            {
                entry.ReadEncodedValue();
            }
        }

        if (Array.IndexOf(seen, false) >= 0 || pceSvn < 0 || cpuSvn is not { Length: 16 })
        {
            throw new FormatException("PCK SGX TCB extension lacks a component SVN, PCESVN or a 16-byte CPUSVN");
        }

        return (components, pceSvn, cpuSvn);
    }

    private static int SmallInt(BigInteger value) =>
        value >= 0 && value <= 65535 ? (int)value : throw new FormatException($"SVN {value} is out of range 0..65535");
}
