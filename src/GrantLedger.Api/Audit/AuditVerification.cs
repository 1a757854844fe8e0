using GrantLedger.Api.Identity;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Npgsql;
using Wolverine.Http;

namespace GrantLedger.Api.Audit;

public sealed record ChainVerification(
    bool Valid,
    long CheckedEvents,
    long PendingEvents,
    long? HeadSequence,
    string HeadLink,
    long? FirstBrokenSequence,
    string? Problem);

public static class AuditVerificationEndpoint
{
    /// <summary>
    /// Recomputes the whole chain from the events as stored now and names the first link that no longer matches.
    /// Events committed but not chained yet (the chainer runs every half second) are reported as pending.
    /// </summary>
    [Authorize(Policy = Policies.Audit)]
    [WolverineGet("/api/audit/verification")]
    public static async Task<ChainVerification> Get(NpgsqlDataSource dataSource, IDocumentStore store, CancellationToken cancellation)
    {
        var schema = store.Options.Events.DatabaseSchemaName;
        await using var command = dataSource.CreateCommand(
            $"select coalesce(e.seq_id, c.seq_id), e.seq_id is not null, {AuditChain.CanonicalSql("e")}, c.link " +
            $"from {schema}.mt_events e full outer join {schema}.{AuditChain.TableName} c on c.seq_id = e.seq_id " +
            "order by 1");
        await using var reader = await command.ExecuteReaderAsync(cancellation);

        var (previous, checkedEvents, pending) = (AuditChain.Genesis, 0L, 0L);
        long? head = null;
        long? firstPending = null;
        while (await reader.ReadAsync(cancellation))
        {
            var sequence = reader.GetInt64(0);
            var eventExists = reader.GetBoolean(1);
            var storedLink = reader.IsDBNull(3) ? null : reader.GetString(3);

            if (storedLink is null)
            {
                pending++;
                firstPending ??= sequence;
                continue;
            }

            if (pending > 0)
            {
                return Broken(firstPending!.Value, $"Event {firstPending} is not in the chain although later events are: it was inserted afterwards.");
            }

            if (!eventExists)
            {
                return Broken(sequence, $"Event {sequence} was chained but no longer exists: it was deleted.");
            }

            var link = AuditChain.Link(previous, reader.GetString(2));
            if (link != storedLink)
            {
                return Broken(sequence, $"Event {sequence} does not match its link: it was changed after it was recorded.");
            }

            (previous, head) = (link, sequence);
            checkedEvents++;
        }

        return new ChainVerification(true, checkedEvents, pending, head, previous, null, null);

        ChainVerification Broken(long at, string problem) => new(false, checkedEvents, pending, head, previous, at, problem);
    }
}
