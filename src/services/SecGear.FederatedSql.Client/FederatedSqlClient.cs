using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using SecGear.FederatedSql.Contracts;
using SecGear.FederatedSql.Protocol;
using SecGear.FederatedSql.Results;
using SecGear.SecureChannel;

namespace SecGear.FederatedSql.Client;

/// <summary>
/// An analyst's client of the coordinator service (docs/federated-sql.md, "Coordinator service"). Per query it starts
/// the query, opens its own secure channel into the aggregation enclave through the host's relay (attesting the
/// enclave against <see cref="FederatedSqlClientOptions.Policy"/> and proving the analyst's key), waits until the
/// enclave holds the answer, and fetches it inside the channel: A's host relays only ciphertext.
/// </summary>
public sealed class FederatedSqlClient : IDisposable
{
    private readonly FederatedSqlClientOptions _options;
    private readonly GrpcChannel _channel;
    private readonly FederatedQuery.FederatedQueryClient _client;

    /// <summary>Creates the client.</summary>
    public FederatedSqlClient(FederatedSqlClientOptions options)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _channel = GrpcChannel.ForAddress(options.Address, new GrpcChannelOptions { MaxReceiveMessageSize = 4 * 1024 * 1024 });
        _client = new FederatedQuery.FederatedQueryClient(_channel);
    }

    /// <summary>The roster the coordinator says its enclave runs (a public fact; sites check it inside their channels).</summary>
    public async Task<FederationConfig> DescribeRosterAsync(CancellationToken cancellationToken = default)
    {
        var description = await _client.DescribeAsync(new DescribeFederationRequest(), cancellationToken: cancellationToken).ConfigureAwait(false);
        return FederationRoster.Parse(description.Roster.Span);
    }

    /// <summary>Runs <paramref name="sql"/> with disclosure k = <paramref name="minGroupRows"/> and returns the answer.</summary>
    /// <exception cref="FederatedSqlException">The query was refused or failed, or the enclave failed attestation.</exception>
    public async Task<QueryResult> QueryAsync(string sql, int minGroupRows, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sql);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.Timeout);
        var token = timeout.Token;
        try
        {
            using var call = _client.Query(cancellationToken: token);
            await call.RequestStream.WriteAsync(new AnalystMessage { Start = new QueryStart { Sql = sql, MinGroupRows = (uint)minGroupRows, Analyst = _options.Analyst } }, token).ConfigureAwait(false);
            if (!await call.ResponseStream.MoveNext(token).ConfigureAwait(false))
            {
                throw new FederatedSqlException(FederatedSqlFailureCode.InvalidState, "the coordinator closed the query without an answer");
            }

            var first = call.ResponseStream.Current;
            if (first.BodyCase == CoordinatorReply.BodyOneofCase.Error)
            {
                throw FederatedSqlException.FromWire(first.Error);
            }

            if (first.BodyCase != CoordinatorReply.BodyOneofCase.QueryId || first.QueryId.Length != PartialMessages.QueryIdLength)
            {
                throw new FederatedSqlException(FederatedSqlFailureCode.InvalidState, "the coordinator did not say which query it opened");
            }

            byte[] queryId = first.QueryId.ToByteArray();
            var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            await using var transport = new CallbackTransport((bytes, ct) => new ValueTask(call.RequestStream.WriteAsync(new AnalystMessage { Frame = ByteString.CopyFrom(bytes.Span) }, ct)), 4 * 1024 * 1024);
            using var pumpStop = CancellationTokenSource.CreateLinkedTokenSource(token);
            var pump = PumpAsync(call.ResponseStream, transport, ready, pumpStop.Token);
            try
            {
                QueryResult result;
                await using (var channel = await SecureChannelClient.ConnectAsync(transport, _options.Verifier, _options.Policy, ChannelOptions(), cancellationToken: token).ConfigureAwait(false))
                {
                    await ready.Task.WaitAsync(token).ConfigureAwait(false);
                    await channel.SendAsync(PartialMessages.Fetch(queryId, minGroupRows, sql), token).ConfigureAwait(false);
                    byte[] reply = await channel.ReceiveAsync(token).ConfigureAwait(false)
                        ?? throw new FederatedSqlException(FederatedSqlFailureCode.AnswerNotReleased, "the enclave closed the channel without an answer");
                    result = ReadAnswer(reply);
                    await channel.CloseAsync(token).ConfigureAwait(false);
                }

                // The service ends the stream once it has relayed the channel's close; waiting for that (rather than
                // cancelling the call) lets it finish cleanly.
                await call.RequestStream.CompleteAsync().ConfigureAwait(false);
                await pump.WaitAsync(TimeSpan.FromSeconds(10), token).ConfigureAwait(false);
                return result;
            }
            finally
            {
                await pumpStop.CancelAsync().ConfigureAwait(false);
                await pump.ConfigureAwait(false);
            }
        }
        catch (SecureChannelException ex)
        {
            throw new FederatedSqlException(FederatedSqlFailureCode.AnswerNotReleased, $"the analyst's channel to the enclave failed ({ex.Reason}): {ex.Message}", ex);
        }
        catch (RpcException ex)
        {
            throw new FederatedSqlException(FederatedSqlFailureCode.InvalidState, $"the coordinator service failed ({ex.StatusCode}: {ex.Status.Detail})", ex);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new FederatedSqlException(FederatedSqlFailureCode.SiteFailed, $"the query took longer than {_options.Timeout}", ex);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _channel.Dispose();

    // An answer can be close to a whole record; the client accepts what the enclave may send.
    private SecureChannelOptions ChannelOptions() => new()
    {
        MaxFrameLength = 1024 * 1024,
        MaxRecordPayload = (1024 * 1024) - 1024,
        ClientCredential = _options.Credential,
    };

    private static QueryResult ReadAnswer(byte[] reply)
    {
        var reader = new RowReader(reply);
        return PartialMessages.ReadType(ref reader) switch
        {
            PartialMessageType.Answer => QueryResultCodec.Decode(reader.ReadRest()),
            PartialMessageType.Rejected => throw new FederatedSqlException(FederatedSqlFailureCode.AnswerNotReleased, "the enclave withheld the answer: " + PartialMessages.ReadRejected(ref reader)),
            var other => throw new FederatedSqlException(FederatedSqlFailureCode.InvalidState, $"the enclave sent {other} where the answer was due"),
        };
    }

    private static async Task PumpAsync(IAsyncStreamReader<CoordinatorReply> replies, CallbackTransport transport, TaskCompletionSource ready, CancellationToken cancellationToken)
    {
        try
        {
            while (await replies.MoveNext(cancellationToken).ConfigureAwait(false))
            {
                var reply = replies.Current;
                switch (reply.BodyCase)
                {
                    case CoordinatorReply.BodyOneofCase.Frame:
                        await transport.DeliverAsync(reply.Frame.Memory, cancellationToken).ConfigureAwait(false);
                        break;
                    case CoordinatorReply.BodyOneofCase.Ready:
                        ready.TrySetResult();
                        break;
                    case CoordinatorReply.BodyOneofCase.Error:
                        ready.TrySetException(FederatedSqlException.FromWire(reply.Error));
                        break;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or RpcException or InvalidOperationException or SecureChannelException)
        {
            // The coordinator went away or the query is over: a pending read fails with a clear error below.
        }
        finally
        {
            ready.TrySetException(new FederatedSqlException(FederatedSqlFailureCode.SiteFailed, "the coordinator ended the query before the answer was ready"));
            transport.CompleteReceiving();
        }
    }
}
