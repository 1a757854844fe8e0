using Marten;
using Microsoft.Extensions.Options;
using Npgsql;

namespace GrantLedger.Api.Database;

/// <summary>
/// Runs first at start: the application refuses to serve when history could be rewritten through its own connection
/// (connected as a superuser or as the schema's owner, an append-only table writable beyond insert, a protecting
/// trigger missing or disabled) or when the schema was never applied. The one opt-out is
/// <c>GrantLedger:Database:AllowOwnerConnection</c> in Development, which applies the schema and protections at start.
/// </summary>
public sealed class DatabaseGuard(NpgsqlDataSource dataSource, IDocumentStore store, IOptions<DatabaseOptions> options,
    IHostEnvironment environment, IServiceProvider services, ILogger<DatabaseGuard> logger) : IHostedService
{
    public sealed record TableState(string Table, bool Exists, bool Owned, bool Rewritable, int Triggers);

    public sealed record Findings(string User, bool Superuser, IReadOnlyList<TableState> Tables)
    {
        public bool SchemaMissing => Tables.Any(t => !t.Exists);
        public bool ConnectedAsOwner => Superuser || Tables.Any(t => t.Owned);

        public IReadOnlyList<string> Unprotected => Tables
            .Where(t => t.Exists && (t.Rewritable || t.Triggers < 2))
            .Select(t => t.Rewritable ? $"{t.Table} can be updated, deleted or truncated by {User}" : $"{t.Table} lacks its append-only triggers")
            .ToList();
    }

    public static async Task<Findings> Inspect(NpgsqlDataSource dataSource, string schema, CancellationToken cancellation)
    {
        await using var command = dataSource.CreateCommand($"""
            select t.name, c.oid is not null,
                   coalesce(pg_has_role(current_user, c.relowner, 'MEMBER'), false),
                   coalesce(has_table_privilege(c.oid, 'UPDATE') or has_table_privilege(c.oid, 'DELETE') or has_table_privilege(c.oid, 'TRUNCATE'), false),
                   (select count(*)::int from pg_trigger g where g.tgrelid = c.oid and g.tgenabled <> 'D'
                      and g.tgname in ('{DatabaseRoles.RowTrigger}', '{DatabaseRoles.TruncateTrigger}')),
                   current_user, (select rolsuper from pg_roles where rolname = current_user)
            from unnest($1::text[]) as t(name)
            left join pg_class c on c.oid = to_regclass(quote_ident($2) || '.' || quote_ident(t.name))
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = DatabaseRoles.AppendOnlyTables.ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = schema });
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        var tables = new List<TableState>();
        var (user, superuser) = ("", false);
        while (await reader.ReadAsync(cancellation))
        {
            tables.Add(new TableState(reader.GetString(0), reader.GetBoolean(1), reader.GetBoolean(2), reader.GetBoolean(3), reader.GetInt32(4)));
            (user, superuser) = (reader.GetString(5), reader.GetBoolean(6));
        }

        return new Findings(user, superuser, tables);
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var schema = store.Options.Events.DatabaseSchemaName;
        var findings = await Inspect(dataSource, schema, cancellationToken);
        if (findings.ConnectedAsOwner || findings.SchemaMissing)
        {
            if (options.Value.AllowOwnerConnection && environment.IsDevelopment())
            {
                logger.LogWarning("Connected to PostgreSQL as {User}, who can rewrite history (GrantLedger:Database:AllowOwnerConnection, Development only); applying the schema and protections now",
                    findings.User);
                await DatabaseRoles.ApplyAsync(services, cancellationToken);
                findings = await Inspect(dataSource, schema, cancellationToken);
                Refuse(findings.Tables.Where(t => t.Triggers < 2).Select(t => $"{t.Table} lacks its append-only triggers").ToList());
                return;
            }

            if (findings.SchemaMissing)
            {
                Refuse([$"the schema {schema} is not applied (missing: {string.Join(", ", findings.Tables.Where(t => !t.Exists).Select(t => t.Table))}); " +
                        "run `dotnet GrantLedger.Api.dll db-apply` as the schema owner first"]);
            }

            Refuse([$"connected as {findings.User}, {(findings.Superuser ? "a superuser" : "the owner of the ledger's tables")}, who can disable the triggers and rewrite history; " +
                    $"connect as the runtime role ({options.Value.RuntimeRole}) that db-apply grants"]);
        }

        Refuse(findings.Unprotected);
        logger.LogInformation("Connected as {User}: append-only tables {Tables} can only be read and appended", findings.User,
            string.Join(", ", DatabaseRoles.AppendOnlyTables));
    }

    private void Refuse(IReadOnlyList<string> problems)
    {
        if (problems.Count == 0)
        {
            return;
        }

        var message = "GrantLedger refuses to start: history would not be protected: " + string.Join("; ", problems) +
                      ". See docs/operations.md, \"Database roles\".";
        logger.LogCritical("{Message}", message);
        throw new InvalidOperationException(message);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
