using SecGear.Attestation;

namespace SecGear.SecureChannel.Tests;

/// <summary>Runs the handshake without I/O: a client handshake talks straight to a server's Process.</summary>
internal static class Handshakes
{
    public static ChannelSession Establish(SecureChannelServer server, SimulatedMachine enclave, SecureChannelOptions? options = null, AttestationPolicy? policy = null)
    {
        options ??= new SecureChannelOptions();
        using var client = new ClientHandshake(options, enclave.Verifier, policy ?? SimulatedEnclaveFixture.Policy, null);
        var serverHello = Single(server.Process(client.CreateHello()));
        var serverFinished = Single(server.Process(client.ProcessServerHello(serverHello)));
        return client.ProcessServerFinished(serverFinished);
    }

    public static byte[] Single(IReadOnlyList<byte[]> frames) => Assert.Single(frames);

    public static SecureChannelServer EchoServer(SimulatedMachine enclave, SecureChannelOptions? options = null) =>
        new(data => enclave.Platform.GetEvidence(data), request => [.. "echo:"u8, .. request.Span], options);

    /// <summary>Opens a server reply frame with the client session.</summary>
    public static byte[]? OpenReply(ChannelSession session, byte[] frame) =>
        session.Open((MessageType)frame[0], frame.AsSpan(Wire.FrameHeaderLength));
}
