using SecGear.Trusted.Attestation;
using SecGear.Trusted.Platform;

namespace SecGear.Trusted.Tests.Attestation;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class LocalAttestationExchangeTests : IDisposable
{
    private readonly TestPlatforms _platforms = new();

    public void Dispose() => _platforms.Dispose();

    private SimulatedPlatform A(string? secretPath = null) => _platforms.Platform(TestPlatforms.Identity(TestPlatforms.MeasurementA, TestPlatforms.SignerA, productId: 1), secretPath);

    private SimulatedPlatform B() => _platforms.Platform(TestPlatforms.Identity(TestPlatforms.MeasurementB, TestPlatforms.SignerB, productId: 2));

    [Fact]
    public void Two_enclaves_on_one_platform_learn_each_others_identity_and_share_a_key()
    {
        using var initiator = new LocalAttestationInitiator(A());
        using var responder = new LocalAttestationResponder(B());

        var message2 = initiator.ProcessMessage1(responder.CreateMessage1());
        using var atResponder = responder.ProcessMessage2(message2, out var message3);
        using var atInitiator = initiator.ProcessMessage3(message3);

        Assert.Equal(TestPlatforms.MeasurementA, atResponder.Peer.Measurement);
        Assert.Equal(TestPlatforms.SignerA, atResponder.Peer.Signer);
        Assert.Equal(TestPlatforms.MeasurementB, atInitiator.Peer.Measurement);
        Assert.Equal(2, atInitiator.Peer.ProductId);
        Assert.Equal(32, atInitiator.Key.Length);
        Assert.True(atInitiator.Key.SequenceEqual(atResponder.Key));
    }

    [Fact]
    public void Two_exchanges_give_different_session_keys()
    {
        static byte[] Run(SimulatedPlatform a, SimulatedPlatform b)
        {
            using var initiator = new LocalAttestationInitiator(a);
            using var responder = new LocalAttestationResponder(b);
            using var session = responder.ProcessMessage2(initiator.ProcessMessage1(responder.CreateMessage1()), out _);
            return session.Key.ToArray();
        }

        Assert.NotEqual(Run(A(), B()), Run(A(), B()));
    }

    [Fact]
    public void An_enclave_on_another_platform_is_rejected_by_the_responder()
    {
        using var initiator = new LocalAttestationInitiator(A(Path.Combine(_platforms.Directory, "other", "platform.secret")));
        using var responder = new LocalAttestationResponder(B());

        var message2 = initiator.ProcessMessage1(responder.CreateMessage1());

        var error = Assert.Throws<LocalReportException>(() => responder.ProcessMessage2(message2, out _));
        Assert.Contains("MAC does not verify", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_host_that_swaps_the_initiators_key_exchange_point_is_detected()
    {
        using var initiator = new LocalAttestationInitiator(A());
        using var responder = new LocalAttestationResponder(B());
        using var mallory = new LocalAttestationInitiator(A());
        var message1 = responder.CreateMessage1();
        var honest = initiator.ProcessMessage1(message1);
        var forged = mallory.ProcessMessage1(message1);

        // The host keeps the honest report but substitutes its own point.
        byte[] spliced = [.. honest[..4], .. forged[4..68], .. honest[68..]];

        var error = Assert.Throws<LocalReportException>(() => responder.ProcessMessage2(spliced, out _));
        Assert.Contains("does not bind this key exchange", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_message_3_from_another_enclave_than_message_1_named_is_rejected()
    {
        using var initiator = new LocalAttestationInitiator(A());
        using var responder = new LocalAttestationResponder(B());
        var message2 = initiator.ProcessMessage1(responder.CreateMessage1());
        responder.ProcessMessage2(message2, out _).Dispose();

        // Another enclave on the platform (A itself) writes a report for the initiator.
        var other = A().CreateReport(TestPlatforms.MeasurementA, new byte[32]);

        var error = Assert.Throws<LocalReportException>(() => initiator.ProcessMessage3([.. "SGL3"u8, .. other]));
        Assert.Contains("message 1 named", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Flipping_any_bit_of_message_2_or_3_fails_the_exchange()
    {
        using var probeInitiator = new LocalAttestationInitiator(A());
        using var probeResponder = new LocalAttestationResponder(B());
        int length2 = probeInitiator.ProcessMessage1(probeResponder.CreateMessage1()).Length;
        for (int i = 0; i < length2; i += 3)
        {
            using var initiator = new LocalAttestationInitiator(A());
            using var responder = new LocalAttestationResponder(B());
            var message2 = initiator.ProcessMessage1(responder.CreateMessage1());
            message2[i] ^= 0x10;
            Assert.Throws<LocalReportException>(() => responder.ProcessMessage2(message2, out _));
        }

        for (int i = 0; i < LocalReport.Length + 4; i += 3)
        {
            using var initiator = new LocalAttestationInitiator(A());
            using var responder = new LocalAttestationResponder(B());
            responder.ProcessMessage2(initiator.ProcessMessage1(responder.CreateMessage1()), out var message3).Dispose();
            message3[i] ^= 0x01;
            Assert.Throws<LocalReportException>(() => initiator.ProcessMessage3(message3));
        }
    }

    [Fact]
    public void Malformed_messages_are_typed_errors_and_steps_cannot_be_repeated()
    {
        using var initiator = new LocalAttestationInitiator(A());
        using var responder = new LocalAttestationResponder(B());

        Assert.Throws<LocalReportException>(() => initiator.ProcessMessage1(new byte[10]));
        Assert.Throws<InvalidOperationException>(() => initiator.ProcessMessage1(responder.CreateMessage1()));
        Assert.Throws<InvalidOperationException>(() => responder.CreateMessage1());

        byte[] offCurve = [.. "SGL1"u8, .. TestPlatforms.MeasurementB, .. new byte[64]];
        using var fresh = new LocalAttestationInitiator(A());
        Assert.Throws<LocalReportException>(() => fresh.ProcessMessage1(offCurve));
    }

    [Fact]
    public void A_disposed_session_no_longer_gives_its_key()
    {
        using var initiator = new LocalAttestationInitiator(A());
        using var responder = new LocalAttestationResponder(B());
        var session = responder.ProcessMessage2(initiator.ProcessMessage1(responder.CreateMessage1()), out _);
        session.Dispose();

        Assert.Throws<ObjectDisposedException>(() => session.Key.Length);
    }
}
