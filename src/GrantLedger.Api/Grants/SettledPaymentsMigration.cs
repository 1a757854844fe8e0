using GrantLedger.Domain.Grants;
using JasperFx.Events;
using Marten;

namespace GrantLedger.Api.Grants;

/// <summary>
/// Brings a ledger recorded before ADR 0018 onto payment documents and settling snapshots, at start-up: when the
/// payments recorded in events outnumber the payment documents, every grant's payments get their documents and its
/// snapshot is stored as the settling fold makes it (the same replay reconciliation checks against). Events are not
/// touched. Idempotent (documents and snapshots are upserts of what the events make); a second run finds the counts
/// equal. A snapshot that moved on while this ran (a command committed meanwhile) is left to its own next event.
/// </summary>
public static class SettledPaymentsMigration
{
    public static async Task<int> RunAsync(IDocumentStore store, CancellationToken cancellation)
    {
        await using var session = store.LightweightSession();
        var recorded = await session.Events.QueryRawEventDataOnly<DisbursementRecorded>().CountAsync(cancellation)
            + await session.Events.QueryRawEventDataOnly<DisbursementSubmittedForApproval>().CountAsync(cancellation);
        if (recorded == await session.Query<GrantPayment>().CountAsync(cancellation))
        {
            return 0;
        }

        var grants = await session.Query<Grant>().Select(g => g.Id).ToListAsync(cancellation);
        var documents = 0;
        foreach (var grantId in grants)
        {
            var stream = await session.Events.FetchStreamAsync(grantId, token: cancellation);
            var payments = new Dictionary<Guid, GrantPayment?>();
            foreach (var e in stream)
            {
                if (e.Data is IPaymentEvent about)
                {
                    payments[about.DisbursementId] = GrantPaymentProjection.Evolve(payments.GetValueOrDefault(about.DisbursementId), e);
                }
            }

            foreach (var payment in payments.Values.OfType<GrantPayment>())
            {
                session.Store(payment);
                documents++;
            }

            if (Grant.Replay(stream.Select(e => e.Data)).Stored is { } settled
                && await session.LoadAsync<Grant>(grantId, cancellation) is { } current && current.Version == stream[^1].Version)
            {
                session.Store(settled with { Version = current.Version });
            }
        }

        await session.SaveChangesAsync(cancellation);
        return documents;
    }
}

/// <summary>Runs <see cref="SettledPaymentsMigration"/> at start (after the database guard checked the schema).</summary>
public sealed class SettledPaymentsMigrationService(IDocumentStore store, ILogger<SettledPaymentsMigrationService> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (await SettledPaymentsMigration.RunAsync(store, cancellationToken) is > 0 and var documents)
        {
            logger.LogWarning("Payment documents: wrote {Documents} documents from the grants' events (ADR 0018)", documents);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
