using System.Text.Json.Nodes;

namespace GrantLedger.Api.Tests;

/// <summary>The calls a finance officer makes, for tests to set the scene in a few readable lines.</summary>
public sealed class Ledger(LedgerHost host)
{
    /// <summary>Opens a programme; four eyes are out of the way (the threshold is the whole allocation, the highest the
    /// ledger accepts) unless a test sets one.</summary>
    public async Task<Guid> OpenProgramme(decimal allocation = 220_000m, string start = "2020-04-01", string end = "2021-09-30",
        decimal? approvalThreshold = null)
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
            approvalThreshold = approvalThreshold ?? allocation,
        });
        Assert.True(reply.Status == 201, reply.ToString());
        return reply.Id;
    }

    /// <summary>Awards to the organisation the grantee name denotes (registered once per name per host, with an approved
    /// bank account: <see cref="LedgerHost.OrganisationNamed"/>).</summary>
    public async Task<Reply> TryAward(Guid programmeId, decimal amount, string start = "2020-04-01", string end = "2021-09-30",
        long? expectedVersion = null, string? grantee = null, decimal[]? tranches = null) =>
        await TryAwardTo(programmeId, await host.OrganisationNamed(
            // Holds apply per grantee across grants, so each test grant gets a grantee of its own.
            grantee ?? "Snow Leopard Trust " + Guid.NewGuid().ToString("N")[..8]), amount, start, end, expectedVersion, tranches);

    public Task<Reply> TryAwardTo(Guid programmeId, Guid organisationId, decimal amount, string start = "2020-04-01", string end = "2021-09-30",
        long? expectedVersion = null, decimal[]? tranches = null) =>
        host.Post($"/api/programmes/{programmeId}/grants", new
        {
            organisationId,
            countries = new[] { "KG" },
            title = "Community conservancies",
            amount,
            windowStart = start,
            windowEnd = end,
            expectedVersion,
            tranches = tranches?.Select(t => new { amount = t }).ToArray(),
        });

    /// <summary>Awards a grant; one at or above the threshold is approved by a second person, so it can be paid.</summary>
    public async Task<Guid> Award(Guid programmeId, decimal amount, string? grantee = null, decimal[]? tranches = null)
    {
        var reply = await TryAward(programmeId, amount, grantee: grantee, tranches: tranches);
        Assert.True(reply.Status == 201, reply.ToString());
        if (reply.Json.Text("status") == "awaiting-approval")
        {
            var approved = await host.Send(HttpMethod.Post, $"/api/grants/{reply.Id}/award/approval", user: "approver");
            Assert.True(approved.Status == 201, approved.ToString());
        }

        return reply.Id;
    }

    public async Task<Guid> GrantOf(decimal amount, string? grantee = null, decimal[]? tranches = null) =>
        await Award(await OpenProgramme(), amount, grantee, tranches);

    public Task<Reply> TryDisburse(Guid grantId, decimal amount, string? key = null, string valueDate = "2020-05-04",
        long? expectedVersion = null, string user = "finance", Guid? trancheId = null, string? overrideReason = null)
    {
        var headers = new Dictionary<string, string> { ["Idempotency-Key"] = key ?? Guid.NewGuid().ToString() };

        return host.Post($"/api/grants/{grantId}/disbursements",
            new
            {
                amount, valueDate, reference = "ECARO-TEST-1", note = "Tranche 1", expectedVersion, trancheId,
                @override = overrideReason is null ? null : new { reason = overrideReason },
            }, headers, user);
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

    public async Task<Guid> PlanMilestone(Guid grantId, string dueDate, Guid? gatesTrancheId = null, string title = "Mid-term report")
    {
        var reply = await host.Post($"/api/grants/{grantId}/milestones",
            new { title, kind = "interim", dueDate, gatesTrancheId });
        Assert.True(reply.Status == 201, reply.ToString());
        return reply.Id;
    }

    /// <summary>The grantee of the grant submits (as a user bound to that grantee organisation).</summary>
    public async Task<Reply> Submit(Guid grantId, Guid milestoneId, string note, params (string Name, byte[] Content, string ContentType)[] files)
    {
        var grantee = await host.GranteeUser((await Grant(grantId)).Text("grantee"));
        using var form = new MultipartFormDataContent();
        form.Add(new StringContent(note), "note");
        foreach (var (name, content, contentType) in files)
        {
            var part = new ByteArrayContent(content);
            part.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
            form.Add(part, "files", name);
        }

        return await host.Send(HttpMethod.Post, $"/api/grants/{grantId}/milestones/{milestoneId}/submission", user: grantee, content: form);
    }

    public async Task<JsonNode> Milestone(Guid grantId, Guid milestoneId)
    {
        var reply = await host.Get($"/api/grants/{grantId}/milestones");
        Assert.True(reply.Status == 200, reply.ToString());
        return reply.Json.AsArray().Single(m => m!.Text("id") == milestoneId.ToString())!;
    }

    public async Task<Guid> Tranche(Guid grantId, int number) =>
        Guid.Parse((await Grant(grantId))["tranches"]!.AsArray().Single(t => t!["number"]!.GetValue<int>() == number)!.Text("id"));

    /// <summary>Asks for a report, waits until it is ready and downloads the PDF.</summary>
    /// <param name="language">The <c>?language=</c> to ask for; none: the requester's profile language.</param>
    public async Task<(Reply Status, byte[] Pdf)> GenerateReport(object request, string user = "auditor", string? language = null)
    {
        var accepted = await host.Post(language is null ? "/api/reports" : $"/api/reports?language={Uri.EscapeDataString(language)}", request, user: user);
        Assert.True(accepted.Status == 202, accepted.ToString());
        var status = await LedgerHost.Eventually(() => host.Get($"/api/reports/{accepted.Id}", user: user),
            r => r.Json.Text("status") is "ready" or "failed");
        Assert.True(status.Json.Text("status") == "ready", status.ToString());
        using var download = await host.Download($"/api/reports/{accepted.Id}/pdf", user);
        Assert.Equal("application/pdf", download.Content.Headers.ContentType?.MediaType);
        Assert.EndsWith(".pdf", download.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        return (status, await download.Content.ReadAsByteArrayAsync());
    }

    /// <summary>Uploads a file to the report verification.</summary>
    public async Task<Reply> VerifyReport(byte[] pdf, string user = "auditor")
    {
        using var form = new MultipartFormDataContent { { new ByteArrayContent(pdf), "file", "report.pdf" } };
        return await host.Send(HttpMethod.Post, "/api/reports/verification", user: user, content: form);
    }

    /// <summary>Waits until the audit chain covers every event recorded so far.</summary>
    public Task<Reply> Chained() =>
        LedgerHost.Eventually(() => host.Get("/api/audit/verification", user: "auditor"), r => r.Json["pendingEvents"]!.GetValue<long>() == 0);

    public async Task<JsonNode> Programme(Guid programmeId)
    {
        var reply = await host.Get($"/api/programmes/{programmeId}");
        Assert.True(reply.Status == 200, reply.ToString());
        return reply.Json;
    }
}

public static class JsonAssertions
{
    public static decimal Decimal(this JsonNode? node, string name) => node![name]!.GetValue<decimal>();
    public static string Text(this JsonNode? node, string name) => node![name]!.GetValue<string>();
}
