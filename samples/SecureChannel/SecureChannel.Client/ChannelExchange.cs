using System.Text;
using SecGear.Attestation;
using SecGear.SecureChannel;

namespace SecureChannel.Client;

/// <summary>The secret's trip over the attested secure channel (docs/secure-channel.md).</summary>
internal static class ChannelExchange
{
    public static async Task<string> SendAsync(Stream transport, AttestationVerifier verifier, AttestationPolicy policy, byte[] secret)
    {
        var options = new SecureChannelOptions { MaxFrameLength = ClientArguments.MaxFrameLength, MaxRecordPayload = ClientArguments.MaxSecretLength };
        await using var channel = await SecureChannelClient.ConnectAsync(transport, verifier, policy, options);
        Console.WriteLine($"attested:        {channel.PeerClaims.Format}, simulated={channel.PeerClaims.Simulated}, measurement {Convert.ToHexStringLower(channel.PeerClaims.UniqueId.Span)[..16]}...");
        Console.WriteLine($"channel:         {channel.Suite}, session {Convert.ToHexStringLower(channel.SessionId.Span)}");

        await channel.SendAsync(secret);
        Console.WriteLine($"sent:            a {secret.Length}-byte secret");
        byte[] reply = await channel.ReceiveAsync()
            ?? throw new SecureChannelException(SecureChannelFailureCode.SessionClosed, "the enclave closed the channel without acknowledging");
        await channel.CloseAsync();
        return Encoding.UTF8.GetString(reply);
    }
}
