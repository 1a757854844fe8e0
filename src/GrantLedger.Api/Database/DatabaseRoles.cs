using GrantLedger.Api.Audit;
using GrantLedger.Api.Milestones;
using GrantLedger.Api.Reports;
using JasperFx;
using Marten;
using Npgsql;
using Wolverine.Persistence.Durability;

namespace GrantLedger.Api.Database;

/// <summary>Settings under <c>GrantLedger:Database</c>.</summary>
public sealed class DatabaseOptions
{
    /// <summary>The role the application connects as; <c>db-apply</c> grants it exactly what it needs.</summary>
    public string RuntimeRole { get; set; } = "grantledger_app";

    /// <summary>
    /// Development only: connect as the schema owner, create or update the schema at start and install the
    /// protections. Refused in every other environment.
    /// </summary>
    public bool AllowOwnerConnection { get; set; }
}

/// <summary>
/// Two roles: the owner (schema, migrations, triggers) and the runtime role the application connects as, which can
/// read, append events and keep its working documents, and can never rewrite history.
/// </summary>
public static class DatabaseRoles
{
    /// <summary>Tables whose rows are facts: the runtime role may read and insert, nothing else; a trigger refuses
    /// update, delete and truncate for every role that has not switched triggers off (only an owner or superuser can).</summary>
    public static IReadOnlyList<string> AppendOnlyTables { get; } =
        ["mt_events", AuditChain.TableName, AuditCheckpoints.TableName, EvidenceStore.TableName, ReportFiles.TableName];

    /// <summary>Derived tables written once and never changed by the application: the runtime role may read and insert,
    /// nothing else; no trigger, so the owner may prune them (report checkpoints of an older fold).</summary>
    public static IReadOnlyList<string> WriteOnceTables { get; } = [ReportCheckpoints.TableName];

    public const string RowTrigger = "grantledger_append_only";
    public const string TruncateTrigger = "grantledger_no_truncate";

    /// <summary>Role names are interpolated into DDL, so they are held to plain identifiers.</summary>
    public static string Identifier(string name) =>
        System.Text.RegularExpressions.Regex.IsMatch(name, "^[a-z_][a-z0-9_]{0,62}$")
            ? name
            : throw new InvalidOperationException($"'{name}' is not a plain lower-case PostgreSQL identifier.");

    /// <summary>The triggers on every append-only table, and the runtime role's grants. Idempotent; run as the owner.</summary>
    public static string ProtectionSql(string schema, string? runtimeRole)
    {
        var sql = new System.Text.StringBuilder($"""
            create or replace function {schema}.grantledger_events_are_facts() returns trigger language plpgsql as $$
            begin
              raise exception 'GrantLedger keeps facts: % on %.% is refused; record a correcting event instead', tg_op, tg_table_schema, tg_table_name
                using errcode = 'P0001';
            end $$;
            drop trigger if exists grantledger_events_immutable on {schema}.mt_events;
            drop trigger if exists grantledger_events_no_truncate on {schema}.mt_events;

            """);
        foreach (var table in AppendOnlyTables)
        {
            sql.Append($"""
                drop trigger if exists {RowTrigger} on {schema}.{table};
                create trigger {RowTrigger} before update or delete on {schema}.{table}
                  for each row execute function {schema}.grantledger_events_are_facts();
                drop trigger if exists {TruncateTrigger} on {schema}.{table};
                create trigger {TruncateTrigger} before truncate on {schema}.{table}
                  for each statement execute function {schema}.grantledger_events_are_facts();

                """);
        }

        if (runtimeRole is null)
        {
            return sql.ToString();
        }

        var role = Identifier(runtimeRole);
        var appendOnly = string.Join(", ", AppendOnlyTables.Concat(WriteOnceTables).Select(t => $"{schema}.{t}"));
        sql.Append($"""
            do $$ begin
              execute format('grant connect on database %I to {role}', current_database());
            exception when insufficient_privilege then
              raise notice 'could not grant connect on the database (not its owner); PUBLIC may already have it';
            end $$;
            grant usage on schema {schema} to {role};
            revoke create on schema {schema} from {role};
            revoke all on all tables in schema {schema} from {role};
            grant select, insert, update, delete on all tables in schema {schema} to {role};
            revoke update, delete on {appendOnly} from {role};
            grant usage, select, update on all sequences in schema {schema} to {role};
            grant execute on all functions in schema {schema} to {role};
            """);
        return sql.ToString();
    }

    /// <summary>
    /// Our indexes on Marten's event table. The audit trail filtered by recorded time: a BRIN index, a few pages of
    /// summaries for millions of events, since events are recorded in time order (server timestamps), so an append
    /// costs next to nothing more. Idempotent; run as the owner.
    /// </summary>
    public static string IndexSql(string schema) =>
        $"create index if not exists grantledger_events_recorded on {schema}.mt_events using brin (timestamp);";

    /// <summary>
    /// What <c>db-apply</c> does, as the owner: Marten's schema (events, documents, our tables), Wolverine's message
    /// storage, then the protections and grants. Returns the lines to print.
    /// </summary>
    public static async Task<IReadOnlyList<string>> ApplyAsync(IServiceProvider services, CancellationToken cancellation)
    {
        var store = services.GetRequiredService<IDocumentStore>();
        var schema = store.Options.Events.DatabaseSchemaName;
        var options = services.GetRequiredService<Microsoft.Extensions.Options.IOptions<DatabaseOptions>>().Value;
        var dataSource = services.GetRequiredService<NpgsqlDataSource>();
        var report = new List<string>();

        await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync(AutoCreate.CreateOrUpdate);
        await using (var command = dataSource.CreateCommand(IndexSql(schema)))
        {
            await command.ExecuteNonQueryAsync(cancellation);
        }

        await using (var command = dataSource.CreateCommand(Grants.GrantQueries.BackfillMissedDeadlinesSql(store)))
        {
            await command.ExecuteNonQueryAsync(cancellation);
        }

        report.Add($"schema {schema}: Marten event store, documents, evidence, report files, audit chain and checkpoints up to date");
        await services.GetRequiredService<IMessageStore>().Admin.MigrateAsync(AutoCreate.CreateOrUpdate);
        report.Add($"schema {schema}: Wolverine inbox, outbox, scheduled messages and node tables up to date");

        var role = await RuntimeRoleIfExists(dataSource, options.RuntimeRole, cancellation);
        await using (var command = dataSource.CreateCommand(ProtectionSql(schema, role)))
        {
            await command.ExecuteNonQueryAsync(cancellation);
        }

        report.Add($"append-only tables protected by triggers: {string.Join(", ", AppendOnlyTables)}");
        report.Add(role is null
            ? $"runtime role '{options.RuntimeRole}' does not exist: no grants made (create it, then run db-apply again)"
            : $"runtime role {role}: read and append on {string.Join(", ", AppendOnlyTables.Concat(WriteOnceTables))}; read and write on the working tables; no DDL");
        return report;
    }

    private static async Task<string?> RuntimeRoleIfExists(NpgsqlDataSource dataSource, string role, CancellationToken cancellation)
    {
        await using var command = dataSource.CreateCommand("select 1 from pg_roles where rolname = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = Identifier(role) });
        return await command.ExecuteScalarAsync(cancellation) is null ? null : role;
    }

    /// <summary>The <c>db-apply</c> command: prints what it did; exit code 0, or 1 with the reason.</summary>
    public static async Task<int> RunCommand(IServiceProvider services)
    {
        try
        {
            foreach (var line in await ApplyAsync(services, CancellationToken.None))
            {
                Console.WriteLine("db-apply: " + line);
            }

            return 0;
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
        {
            Console.Error.WriteLine("db-apply failed: " + ex.Message);
            return 1;
        }
    }
}
