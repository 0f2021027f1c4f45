using System.Security.Cryptography;

namespace SecGear.ConfidentialVm.Tpm;

/// <summary>
/// What the Azure vTPM side of the engine asks a TPM: NV index contents (the HCL report), PCR values, an attestation
/// key's public part, and quotes signed by that key. Commands are marshalled here (no TPM library on the package
/// mirror; see docs/confidential-vm.md), authorized with the empty password session as Azure's indices and AK allow.
/// </summary>
public sealed class VtpmClient(ITpmTransport transport)
{
    /// <summary>TPM_RC_RETRY, TPM_RC_YIELDED and TPM_RC_TESTING: warnings that ask the caller to send the command again.</summary>
    private static readonly uint[] RetryCodes = [0x922, 0x908, 0x90A];

    /// <summary>The size of an NV index (TPM2_NV_ReadPublic).</summary>
    public int NvSize(uint index)
    {
        var reader = Run(new TpmWriter(TpmConstants.NvReadPublic).Handle(index).ToArray(), "TPM2_NV_ReadPublic");
        reader.U16();                      // TPM2B_NV_PUBLIC size
        reader.U32();                      // nvIndex
        reader.U16();                      // nameAlg
        reader.U32();                      // attributes
        reader.Sized();                    // authPolicy
        return reader.U16();               // dataSize
    }

    /// <summary>The whole contents of NV index <paramref name="index"/>, read in chunks with the index's own (empty) authorization.</summary>
    public byte[] NvRead(uint index)
    {
        int size = NvSize(index);
        byte[] data = new byte[size];
        for (int offset = 0; offset < size; offset += TpmConstants.NvChunk)
        {
            int chunk = Math.Min(TpmConstants.NvChunk, size - offset);
            byte[] command = new TpmWriter(TpmConstants.NvRead).Handle(index).Handle(index).PasswordSession().U16((ushort)chunk).U16((ushort)offset).ToArray();
            byte[] part = Run(command, "TPM2_NV_Read").Parameters().Sized();
            if (part.Length != chunk)
            {
                throw new TpmException($"TPM2_NV_Read returned {part.Length} bytes at offset {offset}; asked for {chunk}");
            }

            part.CopyTo(data, offset);
        }

        return data;
    }

    /// <summary>The SHA-256 bank values of PCRs 0..23 (TPM2_PCR_Read returns at most 8 per call).</summary>
    public IReadOnlyList<byte[]> ReadPcrs()
    {
        var values = new byte[24][];
        var remaining = Enumerable.Range(0, 24).ToList();
        while (remaining.Count > 0)
        {
            var reader = Run(new TpmWriter(TpmConstants.PcrRead).PcrSelection(TpmConstants.Sha256, remaining).ToArray(), "TPM2_PCR_Read");
            reader.U32();                                  // update counter
            uint banks = reader.U32();
            var returned = new List<int>();
            for (uint b = 0; b < banks; b++)
            {
                reader.U16();
                byte sizeOfSelect = reader.U8();
                var bitmap = reader.Take(sizeOfSelect);
                for (int i = 0; i < sizeOfSelect * 8; i++)
                {
                    if ((bitmap[i / 8] & (1 << (i % 8))) != 0)
                    {
                        returned.Add(i);
                    }
                }
            }

            uint count = reader.U32();
            if (count != returned.Count || count == 0)
            {
                throw new TpmException($"TPM2_PCR_Read returned {count} digests for {returned.Count} selected PCRs");
            }

            foreach (int pcr in returned)
            {
                values[pcr] = reader.Sized();
                remaining.Remove(pcr);
            }
        }

        return values;
    }

    /// <summary>The RSA public key of the signing key at <paramref name="handle"/> (TPM2_ReadPublic).</summary>
    public RSA ReadRsaPublic(uint handle)
    {
        var reader = Run(new TpmWriter(TpmConstants.ReadPublic).Handle(handle).ToArray(), "TPM2_ReadPublic");
        reader.U16();                                      // TPM2B_PUBLIC size
        if (reader.U16() != TpmConstants.Rsa)
        {
            throw new TpmException($"the key at 0x{handle:x8} is not an RSA key");
        }

        reader.U16();                                      // nameAlg
        reader.U32();                                      // objectAttributes
        reader.Sized();                                    // authPolicy
        if (reader.U16() != TpmConstants.Null)             // symmetric
        {
            reader.U16();
            reader.U16();
        }

        if (reader.U16() != TpmConstants.Null)             // scheme
        {
            reader.U16();
        }

        reader.U16();                                      // keyBits
        uint exponent = reader.U32();
        byte[] modulus = reader.Sized();
        return RSA.Create(new RSAParameters
        {
            Modulus = modulus,
            Exponent = exponent == 0 ? [1, 0, 1] : [(byte)(exponent >> 16), (byte)(exponent >> 8), (byte)exponent],
        });
    }

    /// <summary>
    /// TPM2_Quote of SHA-256 PCRs 0..23 by the key at <paramref name="akHandle"/> over <paramref name="nonce"/> (at most
    /// 64 bytes): the TPMS_ATTEST message and the raw RSASSA signature.
    /// </summary>
    public (byte[] Message, byte[] Signature) Quote(uint akHandle, ReadOnlySpan<byte> nonce)
    {
        if (nonce.Length > 64)
        {
            throw new ArgumentException("The quote nonce is at most 64 bytes.", nameof(nonce));
        }

        byte[] command = new TpmWriter(TpmConstants.Quote).Handle(akHandle).PasswordSession()
            .Sized(nonce).U16(TpmConstants.Null).PcrSelection(TpmConstants.Sha256, Enumerable.Range(0, 24)).ToArray();
        var reader = Run(command, "TPM2_Quote").Parameters();
        byte[] message = reader.Sized();
        ushort algorithm = reader.U16();
        if (algorithm != TpmConstants.RsaSsa)
        {
            throw new TpmException($"TPM2_Quote signed with algorithm 0x{algorithm:x4}; expected RSASSA (0x0014), as Azure's AK does");
        }

        reader.U16();                                      // hash
        return (message, reader.Sized());
    }

    private TpmReader Run(byte[] command, string name)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return new TpmReader(transport.Execute(command), name);
            }
            catch (TpmException ex) when (RetryCodes.Contains(ex.ResponseCode) && attempt < 10)
            {
                Thread.Sleep(10 * attempt);
            }
        }
    }
}
