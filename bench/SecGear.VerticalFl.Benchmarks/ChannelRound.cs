using System.Security.Cryptography;
using SecGear.Identity;
using SecGear.SecureChannel;
using SecGear.Trusted.Platform;

namespace SecGear.VerticalFl.Benchmarks;

/// <summary>
/// The secure-channel part of one training round alone: two followers' clients each seal an embeddings record and a
/// gradient request, a channel server in this process opens them and seals a gradient reply of the real size, and the
/// clients open it. Same suites, record sizes and client authentication as a real round; no ECALL, no message decoding,
/// no layer math. Its time is the channel crypto inside the InProcess floor of <see cref="RoundBenchmarks"/>.
/// </summary>
internal sealed class ChannelRound : IAsyncDisposable
{
    private const int Rows = 32;
    private const int Dim = 8;
    private readonly SimulatedPlatform _platform;
    private readonly SecureChannelServer _server;
    private readonly (SecureChannelClient Channel, CallbackTransport Transport)[] _parties;
    private readonly float[] _embeddings = [.. Enumerable.Range(0, Rows * Dim).Select(i => (i % 7) / 7f)];
    private readonly byte[] _ids = SHA256.HashData([1]);
    private ulong _round;

    private ChannelRound(SimulatedPlatform platform, SecureChannelServer server, (SecureChannelClient, CallbackTransport)[] parties)
    {
        _platform = platform;
        _server = server;
        _parties = parties;
    }

    public static async Task<ChannelRound> StartAsync(IReadOnlyList<FollowerIdentity> identities)
    {
        var identity = new EnclaveIdentity(SHA256.HashData("vfl channel bench"u8), SHA256.HashData("signer"u8), 22, 1, false);
        var platform = new SimulatedPlatform(identity);
        byte[] gradient = new GradientMessage(0, Rows, Dim, new float[Rows * Dim]).Encode();
        var server = SecureChannelServer.Create(
            d => platform.GetEvidence(d),
            request => request.Message.Span[0] == 3 ? gradient : null,
            new SecureChannelOptions
            {
                MaxFrameLength = VflLimits.MaxFrameLength,
                MaxRecordPayload = VflLimits.MaxRecordPayload,
                ClientCertificatePolicy = ClientCertificatePolicy.PinnedPublicKeys(identities.Select(i => i.KeySha256)),
            });
        EnclaveTrust trust = EnclaveTrust.ForSimulated(identity.Measurement.ToArray(), identity.Signer.ToArray());
        var parties = new (SecureChannelClient, CallbackTransport)[identities.Count];
        for (int k = 0; k < parties.Length; k++)
        {
            CallbackTransport? transport = null;
            transport = new CallbackTransport(async (frame, ct) =>
            {
                foreach (byte[] reply in server.Process(frame.Span))
                {
                    await transport!.DeliverAsync(reply, ct);
                }
            });
            var options = new SecureChannelOptions { MaxFrameLength = VflLimits.MaxFrameLength, MaxRecordPayload = VflLimits.MaxRecordPayload, ClientCredential = identities[k].Credential };
            parties[k] = (await SecureChannelClient.ConnectAsync(transport, trust.Verifier, trust.Policy, options), transport);
        }

        return new ChannelRound(platform, server, parties);
    }

    public async Task RoundAsync()
    {
        foreach ((SecureChannelClient channel, _) in _parties)
        {
            await channel.SendAsync(new EmbeddingsMessage(_round, true, _ids, Rows, Dim, _embeddings).Encode());
        }

        foreach ((SecureChannelClient channel, _) in _parties)
        {
            await channel.SendAsync(new GradientRequestMessage(_round).Encode());
            _ = await channel.ReceiveAsync() ?? throw new InvalidOperationException("the server closed the channel");
        }

        _round++;
    }

    public async ValueTask DisposeAsync()
    {
        foreach ((SecureChannelClient channel, CallbackTransport transport) in _parties)
        {
            await channel.DisposeAsync();
            await transport.DisposeAsync();
        }

        _server.Dispose();
        _platform.Dispose();
    }
}
