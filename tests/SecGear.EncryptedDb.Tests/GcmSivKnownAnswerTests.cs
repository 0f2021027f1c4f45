using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Modes;
using Org.BouncyCastle.Crypto.Parameters;

namespace SecGear.EncryptedDb.Tests;

/// <summary>The deterministic scheme's primitive is RFC 8452 AES-256-GCM-SIV: BouncyCastle's cipher checked against the RFC's Appendix C.2 vectors.</summary>
public sealed class GcmSivKnownAnswerTests
{
    [Theory]
    [InlineData("", "", "07f5f4169bbf55a8400cd47ea6fd400f")]
    [InlineData("0100000000000000", "", "c2ef328e5c71c83b843122130f7364b761e0b97427e3df28")]
    public void Aes_256_gcm_siv_matches_rfc_8452_appendix_c2(string plaintextHex, string aadHex, string expectedHex)
    {
        byte[] key = Convert.FromHexString("0100000000000000000000000000000000000000000000000000000000000000");
        byte[] nonce = Convert.FromHexString("030000000000000000000000");
        byte[] plaintext = Convert.FromHexString(plaintextHex);
        var cipher = new GcmSivBlockCipher(new AesEngine());
        cipher.Init(true, new AeadParameters(new KeyParameter(key), 128, nonce, Convert.FromHexString(aadHex)));
        byte[] output = new byte[cipher.GetOutputSize(plaintext.Length)];
        int written = cipher.ProcessBytes(plaintext, 0, plaintext.Length, output, 0);
        written += cipher.DoFinal(output, written);
        Assert.Equal(expectedHex, Convert.ToHexStringLower(output.AsSpan(0, written)));
    }
}
