using GrantLedger.Api.Audit;
using GrantLedger.Api.Http;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using Npgsql;
using Wolverine;
using Wolverine.Http;
using Wolverine.Runtime;

namespace GrantLedger.Api.Health;

public sealed record HealthResponse(string Status);

/// <summary>Why this node is not ready (for the log; anonymous callers see the status only).</summary>
public sealed record Unready(string Code, string Reason, Exception? Error = null);

/// <summary>
/// Readiness (docs/operations.md, "Health"): the database answers, the schema is applied, this node is registered in
/// Wolverine's node table (when it runs with others, <see cref="DurabilityMode.Balanced"/>), and the audit chain keeps
/// up (fewer than <see cref="Operations.MetricsOptions.ReadyMaxUnchainedEvents"/> events wait for it).
/// </summary>
public sealed class Readiness(NpgsqlDataSource dataSource, string schema, Func<Guid?> registeredNode, int maxUnchainedEvents)
{
    /// <summary>The tables a node needs before it can serve: Marten's events, the audit chain, Wolverine's inbox and node table.</summary>
    private static readonly string[] Tables = ["mt_events", "mt_streams", AuditChain.TableName, "wolverine_incoming_envelopes", "wolverine_nodes"];

    public static Readiness Of(IServiceProvider services)
    {
        var store = services.GetRequiredService<IDocumentStore>();
        var runtime = services.GetRequiredService<IWolverineRuntime>();
        return new Readiness(services.GetRequiredService<NpgsqlDataSource>(), store.Options.Events.DatabaseSchemaName,
            () => runtime.Options.Durability.Mode == DurabilityMode.Balanced ? runtime.Options.UniqueNodeId : null,
            services.GetRequiredService<IOptions<Operations.MetricsOptions>>().Value.ReadyMaxUnchainedEvents);
    }

    /// <summary>Null when ready; otherwise what is wrong.</summary>
    public async Task<Unready?> Check(CancellationToken cancellation)
    {
        try
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellation);
            await using (var tables = new NpgsqlCommand(
                "select t from unnest($1::text[]) t where to_regclass(quote_ident($2) || '.' || quote_ident(t)) is null", connection))
            {
                tables.Parameters.Add(new NpgsqlParameter { Value = Tables });
                tables.Parameters.Add(new NpgsqlParameter { Value = schema });
                var missing = new List<string>();
                await using var reader = await tables.ExecuteReaderAsync(cancellation);
                while (await reader.ReadAsync(cancellation))
                {
                    missing.Add(reader.GetString(0));
                }

                if (missing.Count > 0)
                {
                    return new("schema-not-applied", $"Schema {schema} lacks {string.Join(", ", missing)}: run db-apply as the schema owner.");
                }
            }

            if (registeredNode() is { } node)
            {
                await using var registered = new NpgsqlCommand($"select count(*) from {schema}.wolverine_nodes where id = $1", connection);
                registered.Parameters.Add(new NpgsqlParameter { Value = node });
                if ((long)(await registered.ExecuteScalarAsync(cancellation))! == 0)
                {
                    return new("node-not-registered", $"Node {node} is not (or no longer) in Wolverine's node table.");
                }
            }

            await using var lag = new NpgsqlCommand(
                $"select count(*) from (select 1 from {schema}.mt_events e where e.seq_id > " +
                $"coalesce((select max(seq_id) from {schema}.{AuditChain.TableName}), 0) limit $1) late", connection);
            lag.Parameters.Add(new NpgsqlParameter { Value = maxUnchainedEvents + 1 });
            if ((long)(await lag.ExecuteScalarAsync(cancellation))! > maxUnchainedEvents)
            {
                return new("audit-chain-behind", $"More than {maxUnchainedEvents} committed events wait for the audit chain.");
            }

            return null;
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            return new("database-unreachable", "The ledger database is unreachable.", ex);
        }
    }
}

/// <summary>
/// Liveness (<c>/health/live</c>: the process answers) and readiness (<c>/health/ready</c>, and <c>/health</c>, kept for
/// the scripts and proxies that use it). Anonymous: the answer is the status only; the reason goes to the log.
/// </summary>
public static class HealthEndpoint
{
    [AllowAnonymous]
    [WolverineGet("/health/live")]
    public static HealthResponse Live() => new("live");

    [AllowAnonymous]
    [WolverineGet("/health/ready")]
    public static Task<IResult> Ready(Readiness readiness, ILogger<HealthResponse> logger, CancellationToken cancellation) =>
        Answer(readiness, logger, "ready", cancellation);

    [AllowAnonymous]
    [WolverineGet("/health")]
    public static Task<IResult> Get(Readiness readiness, ILogger<HealthResponse> logger, CancellationToken cancellation) =>
        Answer(readiness, logger, "healthy", cancellation);

    private static async Task<IResult> Answer(Readiness readiness, ILogger logger, string ok, CancellationToken cancellation)
    {
        if (await readiness.Check(cancellation) is not { } unready)
        {
            return Results.Ok(new HealthResponse(ok));
        }

        // Anonymous callers get the status only; the reason (addresses, server messages) goes to the log, without a stack trace.
        logger.LogWarning("Not ready: {Code}: {Reason} {Error}", unready.Code, unready.Reason, unready.Error?.Message);
        return unready.Code == "database-unreachable"
            ? Problems.Create(StatusCodes.Status503ServiceUnavailable, "database-unreachable", "The ledger database is unreachable",
                "The ledger cannot reach its database.")
            : Problems.Create(StatusCodes.Status503ServiceUnavailable, "not-ready", "This node is not ready", "This node cannot serve yet.");
    }
}
