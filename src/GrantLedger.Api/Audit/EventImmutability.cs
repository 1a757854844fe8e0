using Marten;
using Npgsql;

namespace GrantLedger.Api.Audit;

/// <summary>
/// Events are facts: a trigger refuses UPDATE, DELETE and TRUNCATE on the events table for every role, the
/// application's included. Installed (idempotently) at start, after Marten has created its schema. What the trigger
/// cannot stop (a superuser or the table owner disabling it) the audit chain detects. Runs after Marten's own
/// start-up schema work, which is registered before it.
/// </summary>
public sealed class EventImmutability(NpgsqlDataSource dataSource, IDocumentStore store, ILogger<EventImmutability> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var schema = store.Options.Events.DatabaseSchemaName;
        await using (var exists = dataSource.CreateCommand(
            $"select count(*) from pg_trigger t join pg_class c on c.oid = t.tgrelid join pg_namespace n on n.oid = c.relnamespace " +
            $"where n.nspname = '{schema}' and c.relname = 'mt_events' and t.tgname in ('grantledger_events_immutable', 'grantledger_events_no_truncate')"))
        {
            if ((long)(await exists.ExecuteScalarAsync(cancellationToken))! == 2)
            {
                return;
            }
        }

        await using var command = dataSource.CreateCommand($"""
            create or replace function {schema}.grantledger_events_are_facts() returns trigger language plpgsql as $$
            begin
              raise exception 'GrantLedger events are facts: % on %.mt_events is refused; record a correcting event instead', tg_op, '{schema}'
                using errcode = 'P0001';
            end $$;
            drop trigger if exists grantledger_events_immutable on {schema}.mt_events;
            create trigger grantledger_events_immutable before update or delete on {schema}.mt_events
              for each row execute function {schema}.grantledger_events_are_facts();
            drop trigger if exists grantledger_events_no_truncate on {schema}.mt_events;
            create trigger grantledger_events_no_truncate before truncate on {schema}.mt_events
              for each statement execute function {schema}.grantledger_events_are_facts();
            """);
        try
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (PostgresException ex) when (ex.SqlState is "42501" or "42P01")
        {
            // A runtime role without DDL rights (as production should have): the migration must install the trigger.
            logger.LogError("Events are NOT protected by the immutability trigger ({Message}); install it with the owner role, see README", ex.MessageText);
            return;
        }

        logger.LogInformation("Events in {Schema}.mt_events are protected against update, delete and truncate", schema);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
