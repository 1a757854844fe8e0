using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace GrantLedger.Api.Tests;

/// <summary>
/// Someone with write access to <c>evidence_files</c> swaps a file's bytes (and, to cover their tracks, the SHA-256
/// stored beside them): every download checks the bytes against the SHA-256 recorded in the event and refuses.
/// </summary>
[Collection(LedgerCollection.Name)]
public class FileIntegrityTests(LedgerHost host) : FromStartOfTime(host.Clock)
{
    private readonly Ledger _ledger = new(host);

    private static readonly byte[] Report = Encoding.ASCII.GetBytes("%PDF-1.4\n% mid-term report: 412 households reached\n%%EOF\n");
    private static readonly byte[] Annex = Encoding.ASCII.GetBytes("%PDF-1.4\n% financial annex\n%%EOF\n");
    private static readonly byte[] Forged = Encoding.ASCII.GetBytes("%PDF-1.4\n% mid-term report: 4120 households reached\n%%EOF\n");

    private static Task<int> Rewrite(Guid fileId, byte[] content) =>
        LedgerHost.AsSuperuser($"set session_replication_role = replica; update {LedgerHost.Schema}.evidence_files set content = decode('{Convert.ToHexString(content)}', 'hex'), " +
                               $"sha256 = '{Convert.ToHexStringLower(SHA256.HashData(content))}' where id = '{fileId}'");

    private async Task<(Guid Grant, string Report, string Annex)> SubmittedEvidence()
    {
        host.Clock.Reset(LedgerHost.StartOfTime);
        var grantId = await _ledger.GrantOf(20_000m);
        var milestoneId = await _ledger.PlanMilestone(grantId, "2020-12-31");
        var submitted = await _ledger.Submit(grantId, milestoneId, "Mid-term report", ("midterm.pdf", Report, "application/pdf"),
            ("annex.pdf", Annex, "application/pdf"));
        Assert.True(submitted.Status == 201, submitted.ToString());
        var files = (await _ledger.Milestone(grantId, milestoneId))["submissions"]![0]!["files"]!.AsArray();
        return (grantId, files.Single(f => f!.Text("fileName") == "midterm.pdf")!.Text("url"), files.Single(f => f!.Text("fileName") == "annex.pdf")!.Text("url"));
    }

    private static Guid FileIdOf(string url) => Guid.Parse(url[(url.LastIndexOf('/') + 1)..]);

    [Fact]
    public async Task evidence_whose_stored_bytes_were_rewritten_is_refused_and_untouched_evidence_still_downloads()
    {
        var (_, report, annex) = await SubmittedEvidence();

        Assert.Equal(1, await Rewrite(FileIdOf(report), Forged));
        var refused = await host.Get(report, user: "auditor");
        using var untouched = await host.Download(annex, "auditor");

        Assert.Equal(409, refused.Status);
        Assert.Equal("application/problem+json", refused.ContentType);
        Assert.Equal("file-integrity-failed", refused.Code);
        Assert.Contains(FileIdOf(report).ToString(), refused.Json.Text("detail"));
        Assert.Equal(200, (int)untouched.StatusCode);
        Assert.Equal(Annex, await untouched.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task evidence_whose_stored_bytes_were_deleted_is_refused_not_missing()
    {
        var (_, report, _) = await SubmittedEvidence();

        Assert.Equal(1, await LedgerHost.AsSuperuser($"set session_replication_role = replica; delete from {LedgerHost.Schema}.evidence_files where id = '{FileIdOf(report)}'"));
        var refused = await host.Get(report, user: "auditor");

        Assert.Equal(409, refused.Status);
        Assert.Equal("file-integrity-failed", refused.Code);
    }

    [Fact]
    public async Task a_supporting_file_whose_stored_bytes_were_rewritten_is_refused_and_an_untouched_one_still_downloads()
    {
        var grantId = await _ledger.GrantOf(80_000m, tranches: [40_000m, 40_000m]);
        var budget = await host.Send(HttpMethod.Put, $"/api/grants/{grantId}/budget", JsonSerializer.Serialize(new
        {
            lines = new object[]
            {
                new { code = "P1", heading = "personnel", description = "Coordinators", amount = 40_000m },
                new { code = "E1", heading = "equipment", description = "Camera traps", amount = 40_000m },
            },
        }));
        Assert.True(budget.Status == 200, budget.ToString());
        var grantee = await host.GranteeUser((await _ledger.Grant(grantId)).Text("grantee"));
        using var form = new MultipartFormDataContent
        {
            { new StringContent(JsonSerializer.Serialize(new
                {
                    periodStart = "2020-04-01", periodEnd = "2020-12-31",
                    entries = new[]
                    {
                        new { budgetLineCode = "E1", date = "2020-05-20", description = "Camera traps", amount = 6_200m, currency = "USD" },
                        new { budgetLineCode = "P1", date = "2020-05-31", description = "Coordinator, May", amount = 1_500m, currency = "USD" },
                    },
                })), "report" },
            { new ByteArrayContent(Report), "file-1", "invoice-17.pdf" },
            { new ByteArrayContent(Annex), "file-2", "payslip-may.pdf" },
        };
        var submitted = await host.Send(HttpMethod.Post, $"/api/grants/{grantId}/expenditure-reports", user: grantee, content: form);
        Assert.True(submitted.Status == 201, submitted.ToString());
        var entries = (await host.Get($"/api/grants/{grantId}/expenditure-reports")).Json[0]!["entries"]!.AsArray();
        var invoice = entries.Single(e => e!.Text("description") == "Camera traps")!.Text("fileUrl");
        var payslip = entries.Single(e => e!.Text("description") == "Coordinator, May")!.Text("fileUrl");
        var invoiceFileId = await Scalar<Guid>($"select id from {LedgerHost.Schema}.evidence_files where owner_id = '{Guid.Parse(invoice.Split('/')[^2])}'");

        Assert.Equal(1, await Rewrite(invoiceFileId, Forged));
        var refused = await host.Get(invoice, user: "finance");
        using var untouched = await host.Download(payslip, "finance");

        Assert.Equal(409, refused.Status);
        Assert.Equal("file-integrity-failed", refused.Code);
        Assert.Equal(200, (int)untouched.StatusCode);
        Assert.Equal(Annex, await untouched.Content.ReadAsByteArrayAsync());
    }

    private static async Task<T> Scalar<T>(string sql)
    {
        await using var connection = new Npgsql.NpgsqlConnection(LedgerHost.AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }
}
