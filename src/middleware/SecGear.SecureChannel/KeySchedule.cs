using System.Security.Cryptography;
using System.Text;

namespace SecGear.SecureChannel;

/// <summary>
/// HKDF (over the suite hash) over the ECDHE secret with the transcript hash as salt: one traffic secret per direction and one Finished key
/// per side. Labels are prefixed "secgear-sc v1 " so keys never collide with another protocol's.
/// </summary>
internal static class KeySchedule
{
    public static (byte[] ClientTraffic, byte[] ServerTraffic, byte[] ClientFinished, byte[] ServerFinished) Derive(SuiteInfo suite, byte[] sharedSecret, ReadOnlySpan<byte> transcriptHash)
    {
        var prk = suite.Hash.Extract(transcriptHash, sharedSecret);
        try
        {
            return (
                Expand(suite, prk, "c traffic", transcriptHash, suite.HashLength),
                Expand(suite, prk, "s traffic", transcriptHash, suite.HashLength),
                Expand(suite, prk, "c finished", transcriptHash, suite.HashLength),
                Expand(suite, prk, "s finished", transcriptHash, suite.HashLength));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(prk);
        }
    }

    public static byte[] Expand(SuiteInfo suite, byte[] secret, string label, ReadOnlySpan<byte> context, int length)
    {
        var labelBytes = Encoding.ASCII.GetBytes("secgear-sc v1 " + label);
        var info = new byte[labelBytes.Length + 1 + context.Length];
        labelBytes.CopyTo(info, 0);
        info[labelBytes.Length] = (byte)context.Length;
        context.CopyTo(info.AsSpan(labelBytes.Length + 1));
        return suite.Hash.Expand(secret, info, length);
    }

    public static byte[] Finished(SuiteInfo suite, byte[] finishedKey, ReadOnlySpan<byte> data) =>
        suite.Hash.Hmac(finishedKey, data);
}
