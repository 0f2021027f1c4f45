using System.Security.Cryptography;
using System.Text;
using SecGear.Trusted.Attestation;
using SecGear.Trusted.Platform;
using SecGear.Trusted.Runtime;

namespace LocalAttestation.Enclave;

/// <summary>
/// Both roles of the local attestation exchange; each of the two enclave images of this sample compiles this file
/// under its own name, so the two have different measurements. The session key never leaves the enclave.
/// </summary>
public sealed class LocalAttestEnclave : ILocalAttestEcalls, IDisposable
{
    private const int NonceLength = 12;
    private const int TagLength = 16;
    private readonly EnclaveContext _context;
    private readonly LocalAttestOcallProxy _host;
    private readonly IAttestingPlatform _platform;
    private LocalAttestationResponder? _responder;
    private LocalAttestationInitiator? _initiator;
    private LocalAttestationSession? _session;

    /// <summary>The trusted runtime creates the enclave with its context.</summary>
    public LocalAttestEnclave(EnclaveContext context)
    {
        _context = context;
        _host = new LocalAttestOcallProxy(context.Ocalls);
        _platform = context.Platform as IAttestingPlatform
            ?? throw new PlatformNotSupportedException("This platform cannot make local attestation reports.");
    }

    /// <inheritdoc />
    public int LaResponderStart(Span<byte> msg1)
    {
        _responder?.Dispose();
        _responder = new LocalAttestationResponder(_platform);
        return Write(_responder.CreateMessage1(), msg1);
    }

    /// <inheritdoc />
    public int LaInitiatorAnswer(ReadOnlySpan<byte> msg1, Span<byte> msg2)
    {
        try
        {
            _initiator?.Dispose();
            _initiator = new LocalAttestationInitiator(_platform);
            return Write(_initiator.ProcessMessage1(msg1), msg2);
        }
        catch (LocalReportException ex)
        {
            return Fail(ex.Message);
        }
    }

    /// <inheritdoc />
    public int LaResponderFinish(ReadOnlySpan<byte> msg2, Span<byte> msg3, Span<byte> peer)
    {
        if (_responder is null)
        {
            return Fail("la_responder_finish before la_responder_start");
        }

        try
        {
            _session?.Dispose();
            _session = _responder.ProcessMessage2(msg2, out var message3);
            Report("responder");
            return Write(message3, msg3) == 0 ? Write(_session.Peer.Measurement, peer) : -1;
        }
        catch (LocalReportException ex)
        {
            return Fail(ex.Message);
        }
    }

    /// <inheritdoc />
    public int LaInitiatorFinish(ReadOnlySpan<byte> msg3, Span<byte> peer)
    {
        if (_initiator is null)
        {
            return Fail("la_initiator_finish before la_initiator_answer");
        }

        try
        {
            _session?.Dispose();
            _session = _initiator.ProcessMessage3(msg3);
            Report("initiator");
            return Write(_session.Peer.Measurement, peer);
        }
        catch (LocalReportException ex)
        {
            return Fail(ex.Message);
        }
    }

    /// <inheritdoc />
    public int LaSend(string? text, Span<byte> @sealed)
    {
        if (_session is null || text is null)
        {
            return Fail("la_send needs an established session and a text");
        }

        byte[] plaintext = Encoding.UTF8.GetBytes(text);
        if (@sealed.Length < NonceLength + TagLength + plaintext.Length)
        {
            return -1;
        }

        var nonce = @sealed[..NonceLength];
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_session.Key, TagLength);
        aes.Encrypt(nonce, plaintext, @sealed.Slice(NonceLength + TagLength, plaintext.Length), @sealed.Slice(NonceLength, TagLength));
        return NonceLength + TagLength + plaintext.Length;
    }

    /// <inheritdoc />
    public int LaReceive(ReadOnlySpan<byte> @sealed, Span<byte> text)
    {
        if (_session is null || @sealed.Length < NonceLength + TagLength || text.Length < @sealed.Length - NonceLength - TagLength)
        {
            return Fail("la_receive needs an established session and a well-sized message");
        }

        int length = @sealed.Length - NonceLength - TagLength;
        try
        {
            using var aes = new AesGcm(_session.Key, TagLength);
            aes.Decrypt(@sealed[..NonceLength], @sealed[(NonceLength + TagLength)..], @sealed.Slice(NonceLength, TagLength), text[..length]);
            return length;
        }
        catch (AuthenticationTagMismatchException)
        {
            text.Clear();
            return Fail("the message does not authenticate under the session key");
        }
    }

    /// <inheritdoc />
    public int LaEvidence(ReadOnlySpan<byte> nonce, Span<byte> evidence)
    {
        if (nonce.Length > 64)
        {
            return Fail("la_evidence binds at most 64 bytes");
        }

        byte[] bytes = _platform.GetEvidence(nonce);
        if (bytes.Length > evidence.Length)
        {
            return -1;
        }

        bytes.CopyTo(evidence);
        return bytes.Length;
    }

    /// <summary>Zeroes the session key.</summary>
    public void Dispose()
    {
        _session?.Dispose();
        _responder?.Dispose();
        _initiator?.Dispose();
    }

    private static int Write(ReadOnlySpan<byte> value, Span<byte> destination)
    {
        if (destination.Length != value.Length)
        {
            return -1;
        }

        value.CopyTo(destination);
        return 0;
    }

    private void Report(string role) =>
        _host.PrintMessage($"enclave {_context.Manifest.Name} ({role}): verified peer {_session!.Peer.MeasurementHex[..16]}... on this platform");

    private int Fail(string reason)
    {
        _host.PrintMessage($"enclave {_context.Manifest.Name}: refused: {reason}");
        return -1;
    }
}
