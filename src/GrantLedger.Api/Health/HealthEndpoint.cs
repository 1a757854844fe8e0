using GrantLedger.Api.Http;
using Microsoft.AspNetCore.Authorization;
using Npgsql;
using Wolverine.Http;

namespace GrantLedger.Api.Health;

public sealed record HealthResponse(string Status);

public static class HealthEndpoint
{
    [AllowAnonymous]
    [WolverineGet("/health")]
    public static async Task<IResult> Get(NpgsqlDataSource dataSource, ILogger<HealthResponse> logger, CancellationToken cancellation)
    {
        try
        {
            await using var command = dataSource.CreateCommand("select 1");
            await command.ExecuteScalarAsync(cancellation);
            return Results.Ok(new HealthResponse("healthy"));
        }
        catch (NpgsqlException ex)
        {
            // Anonymous callers get the status only; the reason (addresses, server messages) goes to the log.
            logger.LogWarning(ex, "Health check: the ledger database is unreachable");
            return Problems.Create(StatusCodes.Status503ServiceUnavailable, "database-unreachable",
                "The ledger database is unreachable", "The ledger cannot reach its database.");
        }
    }
}
