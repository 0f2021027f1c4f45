using SecGear.Trusted.Platform;
using static SecGear.Trusted.Attestation.LocalAttestationMessages;

namespace SecGear.Trusted.Attestation;

/// <summary>
/// The responder side of local attestation between two enclaves on one platform: sends message 1, checks message 2
/// (the initiator's report), answers with message 3. One instance runs one exchange. Every message passes through
/// the untrusted host, which can drop or alter it but cannot make a check pass.
/// </summary>
public sealed class LocalAttestationResponder : IDisposable
{
    private readonly IAttestingPlatform _platform;
    private readonly System.Security.Cryptography.ECDiffieHellman _key = NewKey();
    private readonly byte[] _point;
    private readonly ExchangeSteps _steps = new();

    /// <summary>Starts an exchange for the enclave running on <paramref name="platform"/>.</summary>
    public LocalAttestationResponder(IAttestingPlatform platform)
    {
        ArgumentNullException.ThrowIfNull(platform);
        _platform = platform;
        _point = Point(_key);
    }

    /// <summary>Message 1: this enclave's measurement and key exchange point.</summary>
    /// <exception cref="InvalidOperationException">Called twice, or after message 2.</exception>
    public byte[] CreateMessage1()
    {
        _steps.Advance(0);
        return [.. Magic1, .. _platform.Identity.Measurement, .. _point];
    }

    /// <summary>
    /// Checks message 2 and returns the session with the initiator; <paramref name="message3"/> is sent back to it.
    /// </summary>
    /// <exception cref="LocalReportException">Message 2 is malformed, not from an enclave on this platform, or not bound to this exchange.</exception>
    /// <exception cref="InvalidOperationException">Called before message 1 or twice.</exception>
    public LocalAttestationSession ProcessMessage2(ReadOnlySpan<byte> message2, out byte[] message3)
    {
        _steps.Advance(1);
        var copy = message2.ToArray();
        RequireShape(copy, Magic2, Message2Length, "message 2");
        var initiatorPoint = copy.AsSpan(4, PointLength);
        var report = _platform.VerifyReport(copy.AsSpan(4 + PointLength));
        RequireBinding(report, Binding(fromInitiator: true, initiatorPoint, _point));
        using var peer = ImportPeer(initiatorPoint);
        var key = SessionKey(_key, peer, initiatorPoint, _point, report.Source.Measurement, _platform.Identity.Measurement);
        var reply = _platform.CreateReport(report.Source.Measurement, Binding(fromInitiator: false, _point, initiatorPoint));
        message3 = [.. Magic3, .. reply];
        return new LocalAttestationSession(report.Source, key);
    }

    /// <summary>Releases the ephemeral key.</summary>
    public void Dispose() => _key.Dispose();
}
