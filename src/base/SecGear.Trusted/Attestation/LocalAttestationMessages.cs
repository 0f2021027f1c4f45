using System.Security.Cryptography;

namespace SecGear.Trusted.Attestation;

/// <summary>
/// Wire shapes and derivations of the three-message local attestation exchange (the <c>sgx_dh</c> analogue):
/// message 1 (responder to initiator) = "SGL1" | responder measurement (32) | responder P-256 point X||Y (64);
/// message 2 = "SGL2" | initiator point (64) | local report for the responder (204);
/// message 3 = "SGL3" | local report for the initiator (204).
/// Each report binds SHA-256(label | sender point | receiver point) as its first 32 bytes of report data.
/// </summary>
internal static class LocalAttestationMessages
{
    public const int PointLength = 64;
    public const int Message1Length = 4 + 32 + PointLength;
    public const int Message2Length = 4 + PointLength + LocalReport.Length;
    public const int Message3Length = 4 + LocalReport.Length;
    public const int SessionKeyLength = 32;

    public static ReadOnlySpan<byte> Magic1 => "SGL1"u8;

    public static ReadOnlySpan<byte> Magic2 => "SGL2"u8;

    public static ReadOnlySpan<byte> Magic3 => "SGL3"u8;

    public static ECDiffieHellman NewKey() => ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);

    public static byte[] Point(ECDiffieHellman key)
    {
        var parameters = key.ExportParameters(false);
        return [.. parameters.Q.X!, .. parameters.Q.Y!];
    }

    /// <summary>Imports the peer's point; a point that is not on P-256 is rejected.</summary>
    public static ECDiffieHellman ImportPeer(ReadOnlySpan<byte> point)
    {
        try
        {
            return ECDiffieHellman.Create(new ECParameters
            {
                Curve = ECCurve.NamedCurves.nistP256,
                Q = new ECPoint { X = point[..32].ToArray(), Y = point[32..PointLength].ToArray() },
            });
        }
        catch (CryptographicException ex)
        {
            throw new LocalReportException("The peer's key exchange point is not a valid P-256 point.", ex);
        }
    }

    /// <summary>The report data a sender binds: SHA-256 of the direction label, its own point and the receiver's point.</summary>
    public static byte[] Binding(bool fromInitiator, ReadOnlySpan<byte> senderPoint, ReadOnlySpan<byte> receiverPoint)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(fromInitiator ? "SecGear.NET/local-attestation/v1/initiator\0"u8 : "SecGear.NET/local-attestation/v1/responder\0"u8);
        hash.AppendData(senderPoint);
        hash.AppendData(receiverPoint);
        return hash.GetHashAndReset();
    }

    /// <summary>Checks that a verified report binds exactly <paramref name="expected"/> followed by zeros.</summary>
    public static void RequireBinding(LocalReport report, ReadOnlySpan<byte> expected)
    {
        var data = report.ReportData.Span;
        if (!CryptographicOperations.FixedTimeEquals(data[..expected.Length], expected) || data[expected.Length..].ContainsAnyExcept((byte)0))
        {
            throw new LocalReportException("The peer's report does not bind this key exchange (its report data is not the hash of both points).");
        }
    }

    /// <summary>Derives the session key from the ECDH secret, both points and both measurements.</summary>
    public static byte[] SessionKey(ECDiffieHellman own, ECDiffieHellman peer, ReadOnlySpan<byte> initiatorPoint, ReadOnlySpan<byte> responderPoint,
        ReadOnlySpan<byte> initiatorMeasurement, ReadOnlySpan<byte> responderMeasurement)
    {
        var shared = own.DeriveRawSecretAgreement(peer.PublicKey);
        try
        {
            var salt = SHA256.HashData([.. initiatorPoint, .. responderPoint]);
            byte[] info = [.. "SecGear.NET/local-attestation/v1/session-key\0"u8, .. initiatorMeasurement, .. responderMeasurement];
            return HKDF.DeriveKey(HashAlgorithmName.SHA256, shared, SessionKeyLength, salt, info);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(shared);
        }
    }

    public static void RequireShape(ReadOnlySpan<byte> message, ReadOnlySpan<byte> magic, int length, string name)
    {
        if (message.Length != length || !message[..4].SequenceEqual(magic))
        {
            throw new LocalReportException($"Local attestation {name} must be {length} bytes starting with \"{System.Text.Encoding.ASCII.GetString(magic)}\"; got {message.Length} bytes.");
        }
    }
}
