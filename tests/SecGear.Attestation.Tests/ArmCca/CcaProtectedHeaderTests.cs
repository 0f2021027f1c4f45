using System.Formats.Cbor;
using SecGear.Attestation.ArmCca;

namespace SecGear.Attestation.Tests.ArmCca;

/// <summary>The COSE protected header of either CCA token without a usable 'alg' is a typed failure, never an exception.</summary>
public sealed class CcaProtectedHeaderTests
{
    [TestVectorTheory]
    [InlineData(CcaToken.PlatformKey, "empty")]
    [InlineData(CcaToken.RealmKey, "empty")]
    [InlineData(CcaToken.PlatformKey, "text")]
    [InlineData(CcaToken.RealmKey, "huge")]
    public void Token_whose_protected_header_lacks_a_usable_alg_fails_EvidenceMalformed(int which, string header)
    {
        var token = TestVectors.Read(CcaSampleTests.Dir + "cca-token-01.cbor");
        byte[] protectedHeader = header switch
        {
            "empty" => [0xa0],
            "text" => Map(w => w.WriteTextString("ES384")),
            _ => Map(w => w.WriteUInt64(ulong.MaxValue)),
        };
        var verifier = AttestationVerifier.CreateDefault();
        verifier.Register(CcaSampleTests.With("ta-tfa.json"));

        var result = verifier.Verify(new Evidence(EvidenceFormats.ArmCcaToken, ReplaceProtectedHeader(token, which, protectedHeader)), null, DateTimeOffset.UnixEpoch);

        Assert.Equal(AttestationFailureCode.EvidenceMalformed, result.Failure?.Code);
        Assert.Contains(which == CcaToken.PlatformKey ? "platform token" : "realm token", result.Failure!.Message, StringComparison.Ordinal);
        Assert.Contains("'alg'", result.Failure.Message, StringComparison.Ordinal);
    }

    private static byte[] Map(Action<CborWriter> writeAlgorithm)
    {
        var writer = new CborWriter();
        writer.WriteStartMap(1);
        writer.WriteInt32(1);
        writeAlgorithm(writer);
        writer.WriteEndMap();
        return writer.Encode();
    }

    private static byte[] ReplaceProtectedHeader(byte[] token, int which, byte[] protectedHeader)
    {
        var reader = new CborReader(token);
        var writer = new CborWriter();
        writer.WriteTag(reader.ReadTag());
        int count = reader.ReadStartMap()!.Value;
        writer.WriteStartMap(count);
        for (int i = 0; i < count; i++)
        {
            int key = reader.ReadInt32();
            var message = reader.ReadByteString();
            writer.WriteInt32(key);
            writer.WriteByteString(key == which ? ReplaceInSign1(message, protectedHeader) : message);
        }

        reader.ReadEndMap();
        writer.WriteEndMap();
        return writer.Encode();
    }

    private static byte[] ReplaceInSign1(byte[] message, byte[] protectedHeader)
    {
        var reader = new CborReader(message);
        var writer = new CborWriter();
        if (reader.PeekState() == CborReaderState.Tag)
        {
            writer.WriteTag(reader.ReadTag());
        }

        reader.ReadStartArray();
        writer.WriteStartArray(4);
        reader.ReadByteString();
        writer.WriteByteString(protectedHeader);
        writer.WriteEncodedValue(reader.ReadEncodedValue().Span);
        writer.WriteEncodedValue(reader.ReadEncodedValue().Span);
        writer.WriteEncodedValue(reader.ReadEncodedValue().Span);
        reader.ReadEndArray();
        writer.WriteEndArray();
        return writer.Encode();
    }
}
