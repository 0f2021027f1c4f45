using Google.Protobuf;
using Grpc.Core;
using SecGear.Attestation;
using SecGear.FederatedSql.Contracts;
using SecGear.FederatedSql.Planning;
using SecGear.FederatedSql.Protocol;
using SecGear.FederatedSql.Site.Engines;
using SecGear.SecureChannel;

namespace SecGear.FederatedSql.Site;

/// <summary>
/// The site's gRPC service. For each Execute stream: check the plan (re-derived with the same planner; k not below this
/// site's floor), attest the enclave through the relayed channel (measurement and signer pinned), run the partial plan
/// on the local engine and send the rows as records that only the enclave can read. Errors sent back name the check
/// that failed and never carry data values.
/// </summary>
public sealed class SiteService(SiteRuntime runtime, ILogger<SiteService> logger) : FederatedSite.FederatedSiteBase
{
    /// <inheritdoc />
    public override Task<SiteDescription> Describe(DescribeRequest request, ServerCallContext context) =>
        Task.FromResult(new SiteDescription { Name = runtime.Options.Name, Engine = runtime.Engine.Name, CertificateSpkiSha256 = runtime.Identity.SpkiSha256 });

    /// <inheritdoc />
    public override async Task Execute(IAsyncStreamReader<CoordinatorMessage> requestStream, IServerStreamWriter<SiteMessage> responseStream, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(requestStream);
        ArgumentNullException.ThrowIfNull(responseStream);
        ArgumentNullException.ThrowIfNull(context);
        var cancellation = context.CancellationToken;
        if (!await requestStream.MoveNext(cancellation).ConfigureAwait(false) || requestStream.Current.BodyCase != CoordinatorMessage.BodyOneofCase.Plan)
        {
            await Refuse(responseStream, "the first message must be the plan").ConfigureAwait(false);
            return;
        }

        var plan = requestStream.Current.Plan;
        QueryPlan ours;
        try
        {
            ours = CheckPlan(plan);
        }
        catch (FederatedSqlException ex)
        {
            logger.LogWarning("refused a plan: {Code}: {Message}", ex.Code, ex.Message);
            await Refuse(responseStream, $"{ex.Code}: {ex.Message}").ConfigureAwait(false);
            return;
        }

        logger.LogInformation("query {Query}: partial plan {Sql}", Convert.ToHexStringLower(plan.QueryId.Span)[..8], ours.PartialSql);
        var transport = new CallbackTransport((bytes, ct) => new ValueTask(responseStream.WriteAsync(new SiteMessage { Frame = ByteString.CopyFrom(bytes.Span) }, ct)), 4 * 1024 * 1024);
        // The pump stops when the exchange ends (the coordinator keeps its side open until this call returns).
        using var pumpStop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        var pump = PumpAsync(requestStream, transport, pumpStop.Token);
        try
        {
            await using var channel = await SecureChannelClient.ConnectAsync(transport, runtime.Verifier, runtime.Policy, runtime.ChannelOptions, cancellationToken: cancellation).ConfigureAwait(false);
            logger.LogInformation("query {Query}: attested the enclave ({Format}, measurement {Measurement})", Convert.ToHexStringLower(plan.QueryId.Span)[..8], channel.PeerClaims.Format, Convert.ToHexStringLower(channel.PeerClaims.UniqueId.Span)[..16]);
            var (rows, chunks) = await SendResultAsync(channel, plan, ours, cancellation).ConfigureAwait(false);
            byte[] reply = await channel.ReceiveAsync(cancellation).ConfigureAwait(false)
                ?? throw new SecureChannelException(SecureChannelFailureCode.SessionClosed, "the enclave closed the channel without accepting the result");
            var reader = new RowReader(reply);
            var type = PartialMessages.ReadType(ref reader);
            if (type != PartialMessageType.Accepted)
            {
                string reason = type == PartialMessageType.Rejected ? PartialMessages.ReadRejected(ref reader) : type.ToString();
                logger.LogWarning("query {Query}: the enclave rejected the result: {Reason}", Convert.ToHexStringLower(plan.QueryId.Span)[..8], reason);
                await Refuse(responseStream, "the enclave rejected the partial result: " + reason).ConfigureAwait(false);
                return;
            }

            await channel.CloseAsync(cancellation).ConfigureAwait(false);
            logger.LogInformation("query {Query}: the enclave accepted {Rows} partial rows in {Chunks} chunks", Convert.ToHexStringLower(plan.QueryId.Span)[..8], rows, chunks);
        }
        catch (SecureChannelException ex)
        {
            // A failed attestation lands here: the site sends nothing, and says why.
            logger.LogWarning("query {Query}: channel refused: {Reason}: {Message}", Convert.ToHexStringLower(plan.QueryId.Span)[..8], ex.Reason, ex.Message);
            await Refuse(responseStream, $"the site refused the channel ({ex.Reason}): {ex.Message}").ConfigureAwait(false);
        }
        catch (FederatedSqlException ex)
        {
            await Refuse(responseStream, $"{ex.Code}: {ex.Message}").ConfigureAwait(false);
        }
        finally
        {
            await pumpStop.CancelAsync().ConfigureAwait(false);
            await pump.ConfigureAwait(false);
            await transport.DisposeAsync().ConfigureAwait(false);
        }
    }

    private QueryPlan CheckPlan(PartialPlan plan)
    {
        if (plan.QueryId.Length != PartialMessages.QueryIdLength || plan.Nonce.Length != PartialMessages.NonceLength)
        {
            throw new FederatedSqlException(FederatedSqlFailureCode.PlanMismatch, "the plan's query id or nonce has the wrong length");
        }

        if (plan.MinGroupRows < runtime.Options.MinGroupRows)
        {
            throw new FederatedSqlException(FederatedSqlFailureCode.PolicyRejected, $"the plan's disclosure k is {plan.MinGroupRows}; this site requires at least {runtime.Options.MinGroupRows}");
        }

        var ours = QueryPlanner.Plan(plan.FederatedSql, runtime.Catalog, (int)Math.Min(plan.MinGroupRows, int.MaxValue));
        return ours.PartialSql == plan.PartialSql
            ? ours
            : throw new FederatedSqlException(FederatedSqlFailureCode.PlanMismatch, "the partial plan differs from the one this site derives from the query");
    }

    private async Task<(ulong Rows, uint Chunks)> SendResultAsync(SecureChannelClient channel, PartialPlan plan, QueryPlan ours, CancellationToken cancellationToken)
    {
        await channel.SendAsync(PartialMessages.Header(new PartialHeader(plan.QueryId.ToByteArray(), plan.Nonce.ToByteArray(), ours.PlanDigest, ours.MinGroupRows, ours.PartialColumnCount)), cancellationToken).ConfigureAwait(false);
        await CheckRosterAsync(channel, cancellationToken).ConfigureAwait(false);
        var writer = new RowWriter(SiteRuntime.ChunkBytes + 4096);
        ulong rows = 0;
        uint chunks = 0, inChunk = 0;
        var buffered = new List<object?[]>();
        await foreach (var row in runtime.Engine.QueryAsync(ours.PartialSql, cancellationToken).ConfigureAwait(false))
        {
            if (row.Length != ours.PartialColumnCount)
            {
                throw new FederatedSqlException(FederatedSqlFailureCode.PlanMismatch, $"the engine returned {row.Length} columns, the plan has {ours.PartialColumnCount}");
            }

            buffered.Add(row);
            inChunk++;
            rows++;
            if (inChunk == 4096)
            {
                chunks += await FlushAsync(channel, writer, buffered, chunks, cancellationToken).ConfigureAwait(false);
                inChunk = 0;
            }
        }

        chunks += await FlushAsync(channel, writer, buffered, chunks, cancellationToken).ConfigureAwait(false);
        await channel.SendAsync(PartialMessages.Trailer(rows, chunks), cancellationToken).ConfigureAwait(false);
        return (rows, chunks);
    }

    // The enclave answers the header with the roster it was configured with; it arrives inside the attested channel, so
    // A's host can neither forge nor alter it. No row is read from the engine unless it is the roster the operator pinned.
    private async Task CheckRosterAsync(SecureChannelClient channel, CancellationToken cancellationToken)
    {
        byte[] reply = await channel.ReceiveAsync(cancellationToken).ConfigureAwait(false)
            ?? throw new SecureChannelException(SecureChannelFailureCode.SessionClosed, "the enclave closed the channel before showing its roster");
        var reader = new RowReader(reply);
        var type = PartialMessages.ReadType(ref reader);
        if (type == PartialMessageType.Rejected)
        {
            throw new FederatedSqlException(FederatedSqlFailureCode.PartialResultRejected, "the enclave rejected the header: " + PartialMessages.ReadRejected(ref reader));
        }

        if (type != PartialMessageType.Roster)
        {
            throw new FederatedSqlException(FederatedSqlFailureCode.RosterMismatch, $"the enclave sent {type} where its roster was due");
        }

        var shown = FederationRoster.Parse(PartialMessages.ReadRoster(ref reader));
        if (FederationRoster.Refusal(runtime.AcceptedRoster, shown, runtime.RosterSigner) is { } difference)
        {
            logger.LogWarning("refused to contribute: the enclave's roster is not the pinned one: {Difference}", difference);
            throw new FederatedSqlException(FederatedSqlFailureCode.RosterMismatch, "the enclave's federation roster is not the one this site pinned, so the site sends nothing: " + difference);
        }

        if (runtime.RosterSigner is not null)
        {
            // A newer signed version becomes the floor: from now on this site refuses the versions before it, also after
            // a restart (kept in the roster state file).
            if (runtime.Accepted(shown) is { } notKept)
            {
                logger.LogWarning("accepted roster version {Version}, but it is kept only until this process stops: {Problem}", shown.Version, notKept);
            }
        }
    }

    // Sends the buffered rows as chunks of at most ChunkBytes; returns how many chunks it sent.
    private static async Task<uint> FlushAsync(SecureChannelClient channel, RowWriter writer, List<object?[]> rows, uint nextIndex, CancellationToken cancellationToken)
    {
        uint sent = 0;
        int start = 0;
        while (start < rows.Count)
        {
            var sizer = new RowWriter(1024);
            int end = start, bytes = 0;
            while (end < rows.Count)
            {
                sizer.Clear();
                foreach (object? value in rows[end])
                {
                    sizer.WriteValue(value);
                }

                if (end > start && bytes + sizer.Length > SiteRuntime.ChunkBytes)
                {
                    break;
                }

                bytes += sizer.Length;
                end++;
            }

            PartialMessages.StartChunk(writer, nextIndex + sent, (uint)(end - start));
            for (int r = start; r < end; r++)
            {
                foreach (object? value in rows[r])
                {
                    writer.WriteValue(value);
                }
            }

            await channel.SendAsync(writer.WrittenSpan.ToArray(), cancellationToken).ConfigureAwait(false);
            sent++;
            start = end;
        }

        rows.Clear();
        return sent;
    }

    private static async Task PumpAsync(IAsyncStreamReader<CoordinatorMessage> requests, CallbackTransport transport, CancellationToken cancellationToken)
    {
        try
        {
            while (await requests.MoveNext(cancellationToken).ConfigureAwait(false))
            {
                if (requests.Current.BodyCase == CoordinatorMessage.BodyOneofCase.Frame)
                {
                    await transport.DeliverAsync(requests.Current.Frame.Memory, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or RpcException or InvalidOperationException or SecureChannelException)
        {
            // The coordinator went away or the transport was closed: the channel read fails with a clear error.
        }
        finally
        {
            transport.CompleteReceiving();
        }
    }

    private static Task Refuse(IServerStreamWriter<SiteMessage> responseStream, string message) =>
        responseStream.WriteAsync(new SiteMessage { Error = message });
}
