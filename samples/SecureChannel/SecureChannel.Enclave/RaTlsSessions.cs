using System.Buffers.Binary;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using SecGear.RaTls;
using SecGear.Trusted.Platform;

namespace SecureChannel.Enclave;

/// <summary>
/// The RA-TLS side of the sample: TLS 1.3 sessions that end inside the enclave. The certificate is made here, once per
/// enclave start, with evidence binding its key (<see cref="RaTlsCertificate"/>); the host relays the TLS bytes
/// through <c>tls_process</c>. The application protocol is one request, <c>length u32 | secret</c>, answered with
/// <c>length u32 | acknowledgement</c>, then a TLS close.
/// </summary>
internal sealed class RaTlsSessions(IAttestingPlatform platform, SecretVault vault, Action<string> print) : IDisposable
{
    private const int MaxSessions = 16;
    private readonly Dictionary<int, RelayedTlsSession> _sessions = [];
    private readonly Lock _gate = new();
    private X509Certificate2? _certificate;
    private int _next;

    public int Open()
    {
        lock (_gate)
        {
            if (_sessions.Count >= MaxSessions)
            {
                return -1;
            }

            try
            {
                _certificate ??= RaTlsCertificate.Create(d => platform.GetEvidence(d));
            }
            catch (RaTlsException ex)
            {
                print($"enclave: no RA-TLS certificate: {ex.Message}");
                return -1;
            }

            var options = new SslServerAuthenticationOptions { ServerCertificate = _certificate, EnabledSslProtocols = SslProtocols.Tls13 };
            int id = _next++;
            _sessions.Add(id, new RelayedTlsSession(options, ServeAsync));
            return id;
        }
    }

    public int Process(int id, ReadOnlySpan<byte> received, Span<byte> sent, out int done)
    {
        done = 0;
        RelayedTlsSession? session;
        lock (_gate)
        {
            if (!_sessions.TryGetValue(id, out session))
            {
                return -1;
            }
        }

        int count;
        try
        {
            count = session.Process(received, sent);
        }
        catch (SecGear.SecGearException ex)
        {
            print($"enclave: TLS session {id} refused the bytes: {ex.Message}");
            Close(id);
            done = 1;
            return 0;
        }

        if (session.IsCompleted)
        {
            done = 1;
            if (session.Fault is { } fault)
            {
                // The TLS layer's own message: it names the failed step, never key material or plaintext.
                print($"enclave: TLS session {id} ended: {fault.GetType().Name}: {fault.Message}");
            }
        }

        return count;
    }

    public void Close(int id)
    {
        lock (_gate)
        {
            if (_sessions.Remove(id, out var session))
            {
                session.Dispose();
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var session in _sessions.Values)
            {
                session.Dispose();
            }

            _sessions.Clear();
            _certificate?.Dispose();
        }
    }

    private async Task ServeAsync(SslStream tls)
    {
        byte[] header = new byte[4];
        await tls.ReadExactlyAsync(header);
        int length = BinaryPrimitives.ReadInt32BigEndian(header);
        if (length is < 1 or > ChannelLimits.MaxSecretLength)
        {
            throw new InvalidDataException($"a request of {length} bytes; the limit is {ChannelLimits.MaxSecretLength}");
        }

        byte[] secret = new byte[length];
        await tls.ReadExactlyAsync(secret);
        byte[] ack = vault.Accept(secret);
        System.Security.Cryptography.CryptographicOperations.ZeroMemory(secret);
        BinaryPrimitives.WriteInt32BigEndian(header, ack.Length);
        await tls.WriteAsync(header);
        await tls.WriteAsync(ack);
        await tls.ShutdownAsync();
    }
}
