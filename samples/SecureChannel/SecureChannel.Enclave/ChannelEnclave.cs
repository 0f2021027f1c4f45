using SecGear.SecureChannel;
using SecGear.Trusted.Platform;
using SecGear.Trusted.Runtime;
using SecureChannelSample;

namespace SecureChannel.Enclave;

/// <summary>
/// The enclave's implementation of secure_channel.edl. Sessions end here: the host hands in frames (or TLS bytes) and
/// gets frames (or TLS bytes) back, and only this code holds the keys. Each application message is a secret that
/// <see cref="SecretVault"/> seals, has the host store, and acknowledges through the session.
/// </summary>
public sealed class ChannelEnclave : ISecureChannelEcalls, IDisposable
{
    private readonly SecureChannelOcallProxy _host;
    private readonly SecureChannelServer _server;
    private readonly RaTlsSessions _tls;

    /// <summary>The trusted runtime creates the enclave with its context.</summary>
    public ChannelEnclave(EnclaveContext context)
    {
        _host = new SecureChannelOcallProxy(context.Ocalls);
        var platform = context.Platform as IAttestingPlatform
            ?? throw new PlatformNotSupportedException("This platform cannot produce attestation evidence.");
        var vault = new SecretVault(context, _host);
        _server = new SecureChannelServer(d => platform.GetEvidence(d), secret => vault.Accept(secret.Span), ChannelLimits.Options);
        _tls = new RaTlsSessions(platform, vault, _host.PrintMessage);
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
            if (ex.AlertFrame.IsEmpty || ex.AlertFrame.Length > replies.Length)
            {
                return -1;
            }

            // Exceptions do not cross the ECALL boundary: the alert telling the client why goes back as the reply.
            ex.AlertFrame.Span.CopyTo(replies);
            return ex.AlertFrame.Length;
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

    /// <inheritdoc />
    public int TlsOpen() => _tls.Open();

    /// <inheritdoc />
    public int TlsProcess(int session, ReadOnlySpan<byte> received, Span<byte> sent, out int done) => _tls.Process(session, received, sent, out done);

    /// <inheritdoc />
    public void TlsClose(int session) => _tls.Close(session);

    /// <summary>Closes every session and forgets its keys.</summary>
    public void Dispose()
    {
        _server.Dispose();
        _tls.Dispose();
    }
}
