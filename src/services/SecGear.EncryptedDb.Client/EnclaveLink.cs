using System.Net.Sockets;
using SecGear.SecureChannel;

namespace SecGear.EncryptedDb.Client;

/// <summary>
/// The client's two connections to the query service: the attested secure channel that ends in the query enclave
/// (keys and plans, after the evidence satisfied the client's policy) and the query connection (candidate SQL out,
/// sealed results back). Keys are sent once per channel session, when a query first needs them.
/// </summary>
internal sealed class EnclaveLink : IAsyncDisposable
{
    private readonly TcpClient _channelTcp;
    private readonly TcpClient _queryTcp;
    private readonly SecureChannelClient _channel;
    private readonly HashSet<string> _sentKeys = new(StringComparer.Ordinal);

    private EnclaveLink(TcpClient channelTcp, SecureChannelClient channel, TcpClient queryTcp)
    {
        _channelTcp = channelTcp;
        _channel = channel;
        _queryTcp = queryTcp;
    }

    public static async Task<EnclaveLink> ConnectAsync(EncryptedDbOptions options, CancellationToken cancellationToken)
    {
        if (options.QueryService is null || options.Verifier is null || options.EnclavePolicy is null)
        {
            throw new EncryptedDbException(EncryptedDbFailureCode.EnclaveRejected, "this query needs the enclave, and EncryptedDbOptions has no QueryService, Verifier and EnclavePolicy");
        }

        var channelTcp = new TcpClient();
        TcpClient? queryTcp = null;
        try
        {
            await channelTcp.ConnectAsync(options.QueryService, cancellationToken).ConfigureAwait(false);
            NetworkStream stream = channelTcp.GetStream();
            await stream.WriteAsync(new[] { QueryServiceProtocol.ChannelConnection }, cancellationToken).ConfigureAwait(false);
            SecureChannelClient channel;
            try
            {
                channel = await SecureChannelClient.ConnectAsync(stream, options.Verifier, options.EnclavePolicy,
                    new SecureChannelOptions { MaxFrameLength = 256 * 1024, MaxRecordPayload = 128 * 1024 }, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (SecureChannelException ex)
            {
                throw new EncryptedDbException(EncryptedDbFailureCode.EnclaveRejected, $"the query enclave was not accepted, no key was sent: {ex.Reason}: {ex.Message}", ex);
            }

            queryTcp = new TcpClient();
            await queryTcp.ConnectAsync(options.QueryService, cancellationToken).ConfigureAwait(false);
            await queryTcp.GetStream().WriteAsync(new[] { QueryServiceProtocol.QueryConnection }, cancellationToken).ConfigureAwait(false);
            return new EnclaveLink(channelTcp, channel, queryTcp);
        }
        catch (Exception ex) when (ex is SocketException or IOException)
        {
            channelTcp.Dispose();
            queryTcp?.Dispose();
            throw new EncryptedDbException(EncryptedDbFailureCode.ServiceFailure, $"cannot reach the query service at {options.QueryService}: {ex.Message}", ex);
        }
        catch
        {
            channelTcp.Dispose();
            queryTcp?.Dispose();
            throw;
        }
    }

    /// <summary>Runs an enclave query: keys (if new), plan, then candidate SQL through the service; returns the opened result.</summary>
    public async Task<QueryResult> RunAsync(EnclaveQuery query, Func<string, byte[]> cek, CancellationToken cancellationToken)
    {
        (byte[] queryId, byte[] resultKey) = QueryPlan.NewIdentity();
        await PrepareAsync(query.Plan(queryId, resultKey), query.KeyNames.ToDictionary(k => k, cek), cancellationToken).ConfigureAwait(false);
        byte[] sql = System.Text.Encoding.UTF8.GetBytes(query.CandidateSql);
        byte[] body = [.. queryId, .. sql];
        try
        {
            NetworkStream stream = _queryTcp.GetStream();
            await QueryServiceProtocol.WriteFrameAsync(stream, QueryServiceProtocol.Execute, body, cancellationToken).ConfigureAwait(false);
            (byte Type, byte[] Body)? frame = await QueryServiceProtocol.ReadFrameAsync(stream, QueryServiceProtocol.MaxFrameLength, cancellationToken).ConfigureAwait(false)
                ?? throw new EncryptedDbException(EncryptedDbFailureCode.ServiceFailure, "the query service closed the connection");
            if (frame.Value.Type == QueryServiceProtocol.Error)
            {
                throw QueryServiceProtocol.DecodeError(frame.Value.Body);
            }

            if (frame.Value.Type != QueryServiceProtocol.Result || frame.Value.Body.Length < 12)
            {
                throw new EncryptedDbException(EncryptedDbFailureCode.Malformed, "the query service sent an unexpected frame");
            }

            return QueryResult.Open(frame.Value.Body.AsSpan(12), resultKey, queryId);
        }
        catch (Exception ex) when (ex is IOException or SocketException)
        {
            throw new EncryptedDbException(EncryptedDbFailureCode.ServiceFailure, $"the connection to the query service broke: {ex.Message}", ex);
        }
        finally
        {
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(resultKey);
        }
    }

    /// <summary>Sends the keys this session has not sent yet, then the plan; the enclave then waits for the query's rows.</summary>
    public async Task PrepareAsync(QueryPlan plan, IReadOnlyDictionary<string, byte[]> keys, CancellationToken cancellationToken)
    {
        var missing = keys.Where(k => !_sentKeys.Contains(k.Key)).ToDictionary(k => k.Key, k => k.Value);
        if (missing.Count > 0)
        {
            await RequestAsync(EnclaveMessage.EncodeKeys(missing), cancellationToken).ConfigureAwait(false);
            _sentKeys.UnionWith(missing.Keys);
        }

        await RequestAsync(EnclaveMessage.EncodePrepare(plan), cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _channel.SendAsync(new[] { EnclaveMessage.End }).ConfigureAwait(false);
            await _channel.ReceiveAsync().ConfigureAwait(false);
            await _channel.CloseAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SecureChannelException or IOException or SocketException or ObjectDisposedException)
        {
            // The service went away; the enclave forgets the session's keys when the session idles out.
        }

        await _channel.DisposeAsync().ConfigureAwait(false);
        _channelTcp.Dispose();
        _queryTcp.Dispose();
    }

    private async Task RequestAsync(byte[] message, CancellationToken cancellationToken)
    {
        try
        {
            await _channel.SendAsync(message, cancellationToken).ConfigureAwait(false);
            EnclaveMessage.CheckReply(await _channel.ReceiveAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (SecureChannelException ex)
        {
            throw new EncryptedDbException(EncryptedDbFailureCode.ServiceFailure, $"the secure channel to the query enclave failed: {ex.Reason}: {ex.Message}", ex);
        }
        finally
        {
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(message);
        }
    }
}
