using Google.Protobuf;
using Grpc.Core;
using SecGear.FederatedSql.Contracts;
using SecGear.FederatedSql.Coordinator;
using SecGear.FederatedSql.Protocol;

namespace SecGear.FederatedSql.CoordinatorService;

/// <summary>
/// The analyst-facing gRPC service. For each Query stream: open the query in the enclave for the named analyst, tell
/// the analyst its id, relay the analyst's secure channel frames into the enclave while the sites run, and say "ready"
/// once the enclave holds the answer. The analyst fetches the answer inside its channel; this host sees only ciphertext.
/// Errors sent back are "Code: message" and never carry data values.
/// </summary>
public sealed class FederatedQueryService(FederatedSqlCoordinator coordinator, ILogger<FederatedQueryService> logger) : FederatedQuery.FederatedQueryBase
{
    /// <inheritdoc />
    public override Task<FederationDescription> Describe(DescribeFederationRequest request, ServerCallContext context) =>
        Task.FromResult(new FederationDescription
        {
            Measurement = coordinator.Identity.MeasurementHex,
            Signer = coordinator.Identity.SignerHex,
            Roster = ByteString.CopyFrom(FederationRoster.Shown(coordinator.Roster)),
            RosterSha256 = FederationRoster.Digest(coordinator.Roster),
        });

    /// <inheritdoc />
    public override async Task Query(IAsyncStreamReader<AnalystMessage> requestStream, IServerStreamWriter<CoordinatorReply> responseStream, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(requestStream);
        ArgumentNullException.ThrowIfNull(responseStream);
        ArgumentNullException.ThrowIfNull(context);
        var cancellation = context.CancellationToken;
        using var writeGate = new SemaphoreSlim(1, 1);
        async Task WriteAsync(CoordinatorReply reply)
        {
            await writeGate.WaitAsync(cancellation).ConfigureAwait(false);
            try
            {
                await responseStream.WriteAsync(reply, cancellation).ConfigureAwait(false);
            }
            finally
            {
                writeGate.Release();
            }
        }

        if (!await requestStream.MoveNext(cancellation).ConfigureAwait(false) || requestStream.Current.BodyCase != AnalystMessage.BodyOneofCase.Start)
        {
            await WriteAsync(Error(new FederatedSqlException(FederatedSqlFailureCode.InvalidState, "the first message must start the query"))).ConfigureAwait(false);
            return;
        }

        var start = requestStream.Current.Start;
        QueryTicket ticket;
        try
        {
            ticket = coordinator.Open(start.Sql, (int)Math.Min(start.MinGroupRows, int.MaxValue), start.Analyst);
        }
        catch (FederatedSqlException ex)
        {
            logger.LogInformation("refused a query: {Code}", ex.Code);
            await WriteAsync(Error(ex)).ConfigureAwait(false);
            return;
        }

        await WriteAsync(new CoordinatorReply { QueryId = ByteString.CopyFrom(Convert.FromHexString(ticket.QueryId)) }).ConfigureAwait(false);
        var relay = RelayAsync(requestStream, start.Analyst, WriteAsync, cancellation);
        try
        {
            await coordinator.RunAsync(ticket, start.Sql, cancellation).ConfigureAwait(false);
            if (coordinator.Finish(ticket).Length != 0)
            {
                // Start refuses a roster without analysts, so the enclave never hands this host an answer.
                throw new FederatedSqlException(FederatedSqlFailureCode.InvalidState, "the enclave released the answer to the host");
            }

            await WriteAsync(new CoordinatorReply { Ready = true }).ConfigureAwait(false);
        }
        catch (FederatedSqlException ex)
        {
            await WriteAsync(Error(ex)).ConfigureAwait(false);
        }

        // The analyst fetches the answer and closes its channel, then ends its side of the stream.
        await relay.ConfigureAwait(false);
    }

    private async Task RelayAsync(IAsyncStreamReader<AnalystMessage> requests, string analyst, Func<CoordinatorReply, Task> write, CancellationToken cancellationToken)
    {
        try
        {
            while (await requests.MoveNext(cancellationToken).ConfigureAwait(false))
            {
                if (requests.Current.BodyCase != AnalystMessage.BodyOneofCase.Frame)
                {
                    continue;
                }

                foreach (byte[] reply in coordinator.RelayAnalystFrame(analyst, requests.Current.Frame.ToByteArray()))
                {
                    await write(new CoordinatorReply { Frame = ByteString.CopyFrom(reply) }).ConfigureAwait(false);
                }
            }
        }
        catch (FederatedSqlException ex)
        {
            await write(Error(ex)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or RpcException or InvalidOperationException)
        {
            // The analyst went away: its channel session expires inside the enclave.
            logger.LogInformation("analyst {Analyst} left: {Kind}", analyst, ex.GetType().Name);
        }
    }

    private static CoordinatorReply Error(FederatedSqlException ex) => new() { Error = ex.ToWire() };
}
