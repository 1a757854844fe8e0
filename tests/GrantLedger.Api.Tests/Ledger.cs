using System.Text.Json.Nodes;

namespace GrantLedger.Api.Tests;

/// <summary>The calls a finance officer makes, for tests to set the scene in a few readable lines.</summary>
public sealed class Ledger(LedgerHost host)
{
    public async Task<Guid> OpenProgramme(decimal allocation = 220_000m, string start = "2020-04-01", string end = "2021-09-30")
    {
        var reply = await host.Post("/api/programmes", new
        {
            code = "T-" + Guid.NewGuid().ToString("N")[..12],
            name = "SOS Central Asia (test)",
            currency = "EUR",
            allocation,
            windowStart = start,
            windowEnd = end,
            timeZone = "Asia/Bishkek",
        });
        Assert.True(reply.Status == 201, reply.ToString());
        return reply.Id;
    }

    public Task<Reply> TryAward(Guid programmeId, decimal amount, string start = "2020-04-01", string end = "2021-09-30", long? expectedVersion = null) =>
        host.Post($"/api/programmes/{programmeId}/grants", new
        {
            grantee = "Snow Leopard Trust",
            countries = new[] { "KG" },
            title = "Community conservancies",
            amount,
            windowStart = start,
            windowEnd = end,
            expectedVersion,
        });

    public async Task<Guid> Award(Guid programmeId, decimal amount)
    {
        var reply = await TryAward(programmeId, amount);
        Assert.True(reply.Status == 201, reply.ToString());
        return reply.Id;
    }

    public async Task<Guid> GrantOf(decimal amount) => await Award(await OpenProgramme(), amount);

    public Task<Reply> TryDisburse(Guid grantId, decimal amount, string? key = null, string valueDate = "2020-05-04", long? expectedVersion = null, string? actor = null)
    {
        var headers = new Dictionary<string, string> { ["Idempotency-Key"] = key ?? Guid.NewGuid().ToString() };
        if (actor is not null)
        {
            headers["X-Actor"] = actor;
        }

        return host.Post($"/api/grants/{grantId}/disbursements",
            new { amount, valueDate, reference = "ECARO-TEST-1", note = "Tranche 1", expectedVersion }, headers);
    }

    public async Task<Guid> Disburse(Guid grantId, decimal amount)
    {
        var reply = await TryDisburse(grantId, amount);
        Assert.True(reply.Status == 201, reply.ToString());
        return reply.Id;
    }

    public Task<Reply> TryReverse(Guid grantId, Guid disbursementId, string reason = "Recorded in error") =>
        host.Post($"/api/grants/{grantId}/disbursements/{disbursementId}/reversal", new { reason });

    public async Task<JsonNode> Grant(Guid grantId)
    {
        var reply = await host.Get($"/api/grants/{grantId}");
        Assert.True(reply.Status == 200, reply.ToString());
        return reply.Json;
    }

    public async Task<JsonNode> Programme(Guid programmeId)
    {
        var reply = await host.Get($"/api/programmes/{programmeId}");
        Assert.True(reply.Status == 200, reply.ToString());
        return reply.Json;
    }
}

public static class JsonAssertions
{
    public static decimal Decimal(this JsonNode node, string name) => node[name]!.GetValue<decimal>();
    public static string Text(this JsonNode node, string name) => node[name]!.GetValue<string>();
}
