using System.Globalization;
using System.Security.Cryptography;
using SecGear.SecureChannel;
using SecGear.Trusted.Platform;
using SecGear.Trusted.Runtime;
using SecGear.Trusted.Sealing;
using SecureChannelSample;

namespace SecureChannel.Enclave;

/// <summary>
/// The enclave's implementation of secure_channel.edl. Sessions end here: the host hands in frames and gets frames
/// back, and only this code holds the keys. Each application message is a secret: the enclave seals it to its signer,
/// has the host store the sealed blob, and answers (encrypted, through the channel) with an acknowledgement.
/// </summary>
public sealed class ChannelEnclave : ISecureChannelEcalls, IDisposable
{
    /// <summary>Additional data bound into every sealed blob of this sample.</summary>
    public static ReadOnlySpan<byte> SealLabel => "SecureChannel sample secret"u8;

    private readonly EnclaveContext _context;
    private readonly SecureChannelOcallProxy _host;
    private readonly SecureChannelServer _server;

    /// <summary>The trusted runtime creates the enclave with its context.</summary>
    public ChannelEnclave(EnclaveContext context)
    {
        _context = context;
        _host = new SecureChannelOcallProxy(context.Ocalls);
        var platform = context.Platform as IAttestingPlatform
            ?? throw new PlatformNotSupportedException("This platform cannot produce attestation evidence.");
        _server = new SecureChannelServer(d => platform.GetEvidence(d), HandleSecret, ChannelLimits.Options);
    }

    /// <inheritdoc />
    public int ChannelProcess(ReadOnlySpan<byte> frame, Span<byte> replies)
    {
        IReadOnlyList<byte[]> answer;
        try
        {
            answer = _server.Process(frame);
        }
        catch (SecureChannelException ex)
        {
            // The reason and message never carry keys or plaintext (docs/secure-channel.md, "Failures").
            _host.PrintMessage($"enclave: refused a frame ({ex.Reason}): {ex.Message}");
            return -1;
        }

        int total = answer.Sum(f => f.Length);
        if (total > replies.Length)
        {
            _host.PrintMessage($"enclave: the {total}-byte answer does not fit the host's {replies.Length}-byte buffer");
            return -2;
        }

        int offset = 0;
        foreach (byte[] reply in answer)
        {
            reply.CopyTo(replies[offset..]);
            offset += reply.Length;
        }

        return total;
    }

    /// <inheritdoc />
    public int ChannelRemoveIdle() => _server.RemoveIdleSessions();

    /// <summary>Closes every session and forgets its keys.</summary>
    public void Dispose() => _server.Dispose();

    /// <summary>
    /// One decrypted message from a client: seal it, hand the blob to the host, and acknowledge with the secret's
    /// SHA-256 (so the client can check what arrived) and the sealed blob's length and number.
    /// </summary>
    private byte[]? HandleSecret(ReadOnlyMemory<byte> secret)
    {
        byte[] blob = _context.Sealer.Seal(secret.Span, SealLabel, SealPolicy.Signer);
        int stored = _host.StoreSealed(blob);
        string digest = Convert.ToHexStringLower(SHA256.HashData(secret.Span));
        string ack = stored < 0
            ? $"error: the host did not store the sealed blob; sha256={digest}"
            : string.Create(CultureInfo.InvariantCulture, $"ack sha256={digest} sealed={blob.Length} stored=#{stored}");
        return System.Text.Encoding.UTF8.GetBytes(ack);
    }
}
