using GrantLedger.Api.Database;
using Npgsql;
using NodaTime.Testing;

namespace GrantLedger.Api.Tests;

/// <summary>
/// The attacker holds the application's own connection string (the runtime role): history cannot be rewritten
/// through it. And the application will not serve through a connection that could.
/// </summary>
[Collection(LedgerCollection.Name)]
public class DatabaseRoleTests(LedgerHost host) : FromStartOfTime(host.Clock)
{
    private const string Schema = LedgerHost.Schema;

    private static async Task<PostgresException> AsTheApplication(string sql)
    {
        await using var connection = new NpgsqlConnection(LedgerHost.RuntimeConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteNonQueryAsync());
    }

    public static TheoryData<string> AppendOnly => new(DatabaseRoles.AppendOnlyTables);

    [Theory]
    [MemberData(nameof(AppendOnly))]
    public async Task the_runtime_role_cannot_update_delete_or_truncate_an_append_only_table(string table)
    {
        await host.Get("/api/programmes");
        var column = table == "mt_events" ? "seq_id" : table is "audit_chain" or "audit_checkpoints" ? "seq_id" : "id";

        var update = await AsTheApplication($"update {Schema}.{table} set {column} = {column}");
        var delete = await AsTheApplication($"delete from {Schema}.{table}");
        var truncate = await AsTheApplication($"truncate {Schema}.{table}");

        Assert.All([update, delete, truncate], e => Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, e.SqlState));
    }

    [Theory]
    [MemberData(nameof(AppendOnly))]
    public async Task the_runtime_role_cannot_disable_or_drop_the_protecting_triggers(string table)
    {
        var disable = await AsTheApplication($"alter table {Schema}.{table} disable trigger user");
        var drop = await AsTheApplication($"drop trigger {DatabaseRoles.RowTrigger} on {Schema}.{table}");
        var alter = await AsTheApplication($"alter table {Schema}.{table} add column forged text");

        Assert.All([disable, drop, alter], e => Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, e.SqlState));
    }

    [Fact]
    public async Task the_runtime_role_cannot_create_objects_or_grant_itself_more()
    {
        var create = await AsTheApplication($"create table {Schema}.shadow_events (id int)");
        var function = await AsTheApplication($"create or replace function {Schema}.grantledger_events_are_facts() returns trigger language plpgsql as $$ begin return new; end $$");
        var replica = await AsTheApplication("set session_replication_role = replica");

        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, create.SqlState);
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, function.SqlState);
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, replica.SqlState);
    }

    [Fact]
    public async Task even_the_owner_is_stopped_by_the_trigger_until_it_disables_it()
    {
        await using var connection = new NpgsqlConnection(LedgerHost.OwnerConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"delete from {Schema}.mt_events where seq_id = 1", connection);

        var refused = await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteNonQueryAsync());

        Assert.Equal("P0001", refused.SqlState);
        Assert.Contains("GrantLedger keeps facts", refused.MessageText);
    }

    [Fact]
    public async Task the_application_still_appends_and_reads_through_the_runtime_role()
    {
        var ledger = new Ledger(host);
        var grant = await ledger.GrantOf(10_000m);
        await ledger.Disburse(grant, 1_000m);

        Assert.Equal(1_000m, (await ledger.Grant(grant)).Decimal("disbursed"));
        await using var connection = new NpgsqlConnection(LedgerHost.RuntimeConnectionString);
        await connection.OpenAsync();
        await using var whoAmI = new NpgsqlCommand("select current_user", connection);
        Assert.Equal("grantledger_app", await whoAmI.ExecuteScalarAsync());
    }
}

/// <summary>Starting the application through a connection that could rewrite history is refused, with the reason.</summary>
public class DatabaseGuardTests
{
    private static async Task<string> Refusal(string schema, Dictionary<string, string> settings, bool applySchema = true)
    {
        var failure = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var _ = await LedgerHost.Start(schema, new FakeClock(LedgerHost.StartOfTime), settings, applySchema);
        });
        var message = string.Join(" | ", Flatten(failure).Select(e => e.Message));
        Assert.Contains("refuses to start", message);
        return message;
    }

    private static IEnumerable<Exception> Flatten(Exception e) =>
        e is AggregateException a ? a.InnerExceptions.SelectMany(Flatten) : e.InnerException is { } inner ? [e, .. Flatten(inner)] : [e];

    [Fact]
    public async Task connected_as_the_schema_owner_the_application_refuses_to_start()
    {
        var message = await Refusal("grantledger_guard", new() { ["ConnectionStrings:GrantLedger"] = LedgerHost.OwnerConnectionString });

        Assert.Contains("owner", message);
    }

    [Fact]
    public async Task connected_as_a_superuser_the_application_refuses_to_start()
    {
        var message = await Refusal("grantledger_guard", new() { ["ConnectionStrings:GrantLedger"] = LedgerHost.AdminConnectionString });

        Assert.Contains("superuser", message);
    }

    [Fact]
    public async Task the_owner_opt_out_is_refused_outside_development()
    {
        var message = await Refusal("grantledger_guard", new()
        {
            ["ConnectionStrings:GrantLedger"] = LedgerHost.OwnerConnectionString,
            ["GrantLedger:Database:AllowOwnerConnection"] = "true",
        });

        Assert.Contains("owner", message);
    }

    [Fact]
    public async Task a_schema_never_applied_is_refused_with_the_command_to_run()
    {
        await LedgerHost.AsSuperuser("drop schema if exists grantledger_unapplied cascade");

        var message = await Refusal("grantledger_unapplied", [], applySchema: false);

        Assert.Contains("db-apply", message);
    }

    [Fact]
    public async Task events_whose_trigger_was_disabled_are_refused_as_unprotected()
    {
        const string schema = "grantledger_guard_trigger";
        await LedgerHost.ApplySchemaNow(schema);
        await LedgerHost.AsSuperuser($"alter table {schema}.mt_events disable trigger {DatabaseRoles.RowTrigger}");
        try
        {
            var message = await Refusal(schema, [], applySchema: false);

            Assert.Contains("mt_events lacks its append-only triggers", message);
        }
        finally
        {
            await LedgerHost.AsSuperuser($"alter table {schema}.mt_events enable trigger {DatabaseRoles.RowTrigger}");
        }
    }

    [Fact]
    public async Task a_runtime_role_granted_update_on_events_is_refused()
    {
        const string schema = "grantledger_guard_grant";
        await LedgerHost.ApplySchemaNow(schema);
        await LedgerHost.AsSuperuser($"grant update on {schema}.audit_chain to grantledger_app");
        try
        {
            var message = await Refusal(schema, [], applySchema: false);

            Assert.Contains("audit_chain can be updated, deleted or truncated by grantledger_app", message);
        }
        finally
        {
            await LedgerHost.AsSuperuser($"revoke update on {schema}.audit_chain from grantledger_app");
        }
    }

    [Fact]
    public void in_production_a_missing_signing_key_stops_the_start()
    {
        // ProductionGuard refuses first (ProductionGuardTests start the built application); the key loader is the second lock.
        var environment = new Microsoft.Extensions.Hosting.Internal.HostingEnvironment { EnvironmentName = "Production", ContentRootPath = LedgerHost.KeysDirectory };
        var failure = Assert.ThrowsAny<Exception>(() => GrantLedger.Api.Audit.AuditSigningKey.Load(
            new GrantLedger.Api.Audit.AuditOptions { SigningKeyPath = Path.Combine(LedgerHost.KeysDirectory, "no-such-key.pem") }, environment,
            Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance));

        Assert.Contains("signing key", failure.Message);
    }
}
