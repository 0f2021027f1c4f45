using System.Formats.Cbor;

namespace SecGear.Attestation.HuaweiVirtCca;

/// <summary>
/// The claims of a virtCCA platform token (signed by the device AIK). Only the challenge is mandatory: it is what binds
/// the realm key to the device. The CCA platform claims that may accompany it are kept when present.
/// </summary>
public sealed class VirtCcaPlatformClaims
{
    /// <summary>Challenge (10): the hash of the realm's RAK as encoded in realm claim 44237.</summary>
    public required byte[] Challenge { get; init; }

    /// <summary>Profile (265), when present.</summary>
    public string? Profile { get; init; }

    /// <summary>Implementation id (2396), when present.</summary>
    public byte[]? ImplementationId { get; init; }

    /// <summary>Instance id (256), when present.</summary>
    public byte[]? InstanceId { get; init; }

    /// <summary>Security lifecycle (2395), when present.</summary>
    public int? Lifecycle { get; init; }

    /// <summary>Platform hash algorithm (2402), when present.</summary>
    public string? HashAlgorithm { get; init; }

    /// <summary>Reads the claims map; unknown claims are skipped, a missing challenge is an error.</summary>
    internal static VirtCcaPlatformClaims Read(CborReader reader)
    {
        string? profile = null, hashAlgorithm = null;
        byte[]? challenge = null, implementation = null, instance = null;
        int? lifecycle = null;
        int count = reader.ReadStartMap() ?? throw new FormatException("platform claims must be a definite-length map");
        for (int i = 0; i < count; i++)
        {
            switch (reader.ReadInt32())
            {
                case 10: challenge = Bytes(reader, 32, 64, "platform challenge"); break;
                case 265: profile = reader.ReadTextString(); break;
                case 2396: implementation = Bytes(reader, 1, 64, "implementation id"); break;
                case 256: instance = Bytes(reader, 1, 64, "instance id"); break;
                case 2395: lifecycle = reader.ReadInt32(); break;
                case 2402: hashAlgorithm = reader.ReadTextString(); break;
                default: reader.SkipValue(); break;
            }
        }

        reader.ReadEndMap();
        if (reader.BytesRemaining != 0)
        {
            throw new FormatException("bytes follow the platform claims");
        }

        return new VirtCcaPlatformClaims
        {
            Challenge = challenge ?? throw new FormatException("the mandatory claim platform challenge (10) is missing"),
            Profile = profile,
            ImplementationId = implementation,
            InstanceId = instance,
            Lifecycle = lifecycle,
            HashAlgorithm = hashAlgorithm,
        };
    }

    private static byte[] Bytes(CborReader reader, int min, int max, string name) => VirtCcaRealmClaims.Bytes(reader, min, max, name);
}
