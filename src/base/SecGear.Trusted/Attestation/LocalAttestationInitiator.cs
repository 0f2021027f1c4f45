using SecGear.Trusted.Platform;
using static SecGear.Trusted.Attestation.LocalAttestationMessages;

namespace SecGear.Trusted.Attestation;

/// <summary>
/// The initiator side of local attestation between two enclaves on one platform: answers message 1 with message 2
/// (a report for the responder binding both key exchange points), then checks message 3 (the responder's report).
/// One instance runs one exchange.
/// </summary>
public sealed class LocalAttestationInitiator : IDisposable
{
    private readonly IAttestingPlatform _platform;
    private readonly System.Security.Cryptography.ECDiffieHellman _key = NewKey();
    private readonly byte[] _point;
    private byte[] _responderMeasurement = [];
    private byte[] _responderPoint = [];
    private readonly ExchangeSteps _steps = new();

    /// <summary>Starts an exchange for the enclave running on <paramref name="platform"/>.</summary>
    public LocalAttestationInitiator(IAttestingPlatform platform)
    {
        ArgumentNullException.ThrowIfNull(platform);
        _platform = platform;
        _point = Point(_key);
    }

    /// <summary>Reads message 1 and returns message 2 for the responder.</summary>
    /// <exception cref="LocalReportException">Message 1 is malformed or its point is not on P-256.</exception>
    /// <exception cref="InvalidOperationException">Called twice.</exception>
    public byte[] ProcessMessage1(ReadOnlySpan<byte> message1)
    {
        _steps.Advance(0);
        var copy = message1.ToArray();
        RequireShape(copy, Magic1, Message1Length, "message 1");
        _responderMeasurement = copy[4..36];
        _responderPoint = copy[36..];
        ImportPeer(_responderPoint).Dispose();
        var report = _platform.CreateReport(_responderMeasurement, Binding(fromInitiator: true, _point, _responderPoint));
        return [.. Magic2, .. _point, .. report];
    }

    /// <summary>Checks message 3 and returns the session with the responder.</summary>
    /// <exception cref="LocalReportException">Message 3 is malformed, not from the enclave message 1 named, or not bound to this exchange.</exception>
    /// <exception cref="InvalidOperationException">Called before message 1 or twice.</exception>
    public LocalAttestationSession ProcessMessage3(ReadOnlySpan<byte> message3)
    {
        _steps.Advance(1);
        var copy = message3.ToArray();
        RequireShape(copy, Magic3, Message3Length, "message 3");
        var report = _platform.VerifyReport(copy.AsSpan(4));
        if (!report.Source.Measurement.AsSpan().SequenceEqual(_responderMeasurement))
        {
            throw new LocalReportException(
                $"Message 3 comes from the enclave {report.Source.MeasurementHex}; message 1 named {Convert.ToHexStringLower(_responderMeasurement)}.");
        }

        RequireBinding(report, Binding(fromInitiator: false, _responderPoint, _point));
        using var peer = ImportPeer(_responderPoint);
        var key = SessionKey(_key, peer, _point, _responderPoint, _platform.Identity.Measurement, _responderMeasurement);
        return new LocalAttestationSession(report.Source, key);
    }

    /// <summary>Releases the ephemeral key.</summary>
    public void Dispose() => _key.Dispose();
}
