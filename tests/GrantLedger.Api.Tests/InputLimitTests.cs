using System.IO.Compression;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace GrantLedger.Api.Tests;

/// <summary>
/// Bounded input, acting as the attacker: oversize fields, lists, bodies, files and CSVs are refused with a problem that
/// names the field and the cap, and the ledger records nothing (events cannot be deleted; the grant copies what they say).
/// </summary>
[Collection(LedgerCollection.Name)]
public class InputLimitTests(LedgerHost host) : FromStartOfTime(host.Clock)
{
    private readonly Ledger _ledger = new(host);

    private static object[] BudgetLines() =>
    [
        new { code = "P1", heading = "personnel", description = "Coordinators", amount = 24_000m },
        new { code = "T1", heading = "travel", description = "Field travel", amount = 8_000m },
        new { code = "E1", heading = "equipment", description = "Camera traps", amount = 10_000m },
        new { code = "C1", heading = "community-activities", description = "Predator-proof corrals", amount = 28_000m },
        new { code = "M1", heading = "monitoring-and-evaluation", description = "Survey", amount = 5_000m },
        new { code = "I1", heading = "indirect-costs", description = "Overheads", amount = 5_000m },
    ];

    private async Task<(Guid Grant, string Grantee)> BudgetedGrant()
    {
        var grantId = await _ledger.GrantOf(80_000m, tranches: [40_000m, 40_000m]);
        var set = await host.Send(HttpMethod.Put, $"/api/grants/{grantId}/budget", JsonSerializer.Serialize(new { lines = BudgetLines() }));
        Assert.True(set.Status == 200, set.ToString());
        return (grantId, await host.GranteeUser((await _ledger.Grant(grantId)).Text("grantee")));
    }

    private static object Entry(string description = "Corrals") =>
        new { budgetLineCode = "C1", date = "2020-05-01", description, amount = 10m, currency = "KGS" };

    private async Task<Reply> Report(Guid grantId, string grantee, IEnumerable<object> entries) =>
        await host.Post($"/api/grants/{grantId}/expenditure-reports",
            new { periodStart = "2020-04-01", periodEnd = "2020-12-31", entries = entries.ToArray() }, user: grantee);

    private async Task AssertNothingReported(Guid grantId, long version)
    {
        Assert.Equal(version, (await _ledger.Grant(grantId))["version"]!.GetValue<long>());
        Assert.Empty((await host.Get($"/api/grants/{grantId}/expenditure-reports")).Json.AsArray());
    }

    private static void AssertNamesFieldAndCap(Reply reply, string field, string cap)
    {
        Assert.True(reply.Status == 400, reply.ToString());
        Assert.Equal("application/problem+json", reply.ContentType);
        Assert.Equal("malformed-request", reply.Code);
        var messages = reply.Json["errors"]?[field]?.AsArray().Select(m => m!.GetValue<string>()).ToList();
        Assert.True(messages is not null, $"no error for {field}: {reply}");
        Assert.Contains(messages, m => m.Contains(cap, StringComparison.Ordinal));
    }

    [Fact]
    public async Task a_description_beyond_its_cap_is_a_400_naming_the_entry_and_the_cap_and_records_nothing()
    {
        var (grantId, grantee) = await BudgetedGrant();
        var version = (await _ledger.Grant(grantId))["version"]!.GetValue<long>();

        var reply = await Report(grantId, grantee, [Entry(), Entry(new string('x', 500_000))]);

        AssertNamesFieldAndCap(reply, "entries[1].description", "2,000 characters");
        await AssertNothingReported(grantId, version);
    }

    [Fact]
    public async Task a_five_megabyte_description_is_a_413_before_the_body_is_read_and_records_nothing()
    {
        var (grantId, grantee) = await BudgetedGrant();
        var version = (await _ledger.Grant(grantId))["version"]!.GetValue<long>();

        var reply = await Report(grantId, grantee, [Entry(new string('x', 5 * 1024 * 1024))]);

        Assert.Equal(413, reply.Status);
        Assert.Equal("application/problem+json", reply.ContentType);
        Assert.Equal("payload-too-large", reply.Code);
        Assert.Contains("1 MB", reply.Json.Text("detail"));
        await AssertNothingReported(grantId, version);
    }

    [Fact]
    public async Task a_body_beyond_the_json_cap_without_a_declared_length_is_a_413_too()
    {
        var (grantId, grantee) = await BudgetedGrant();
        var version = (await _ledger.Grant(grantId))["version"]!.GetValue<long>();
        var json = JsonSerializer.SerializeToUtf8Bytes(new { periodStart = "2020-04-01", periodEnd = "2020-12-31", entries = new[] { Entry(new string('x', 3 * 1024 * 1024)) } });
        // A stream that cannot tell its length: sent chunked, so only counting the bytes as they come can stop it.
        var content = new StreamContent(new UnknownLength(json));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        var reply = await host.Send(HttpMethod.Post, $"/api/grants/{grantId}/expenditure-reports", user: grantee, content: content);

        Assert.Equal(413, reply.Status);
        Assert.Equal("payload-too-large", reply.Code);
        await AssertNothingReported(grantId, version);
    }

    [Fact]
    public async Task a_report_with_more_entries_than_the_cap_is_a_400_naming_the_cap()
    {
        var (grantId, grantee) = await BudgetedGrant();
        var version = (await _ledger.Grant(grantId))["version"]!.GetValue<long>();

        var reply = await Report(grantId, grantee, Enumerable.Range(0, 501).Select(_ => Entry()));

        AssertNamesFieldAndCap(reply, "entries", "at most 500 items");
        await AssertNothingReported(grantId, version);
    }

    [Fact]
    public async Task a_csv_report_with_more_rows_than_the_cap_is_a_413_and_records_nothing()
    {
        var (grantId, grantee) = await BudgetedGrant();
        var version = (await _ledger.Grant(grantId))["version"]!.GetValue<long>();
        var csv = new StringBuilder("budgetLine,date,description,amount,currency\n");
        for (var i = 0; i < 5_001; i++)
        {
            csv.Append("C1,2020-05-01,Corrals,1,KGS\n");
        }

        var reply = await host.Send(HttpMethod.Post, $"/api/grants/{grantId}/expenditure-reports?periodStart=2020-04-01&periodEnd=2020-12-31",
            content: new StringContent(csv.ToString(), Encoding.UTF8, "text/csv"), user: grantee);

        Assert.Equal(413, reply.Status);
        Assert.Equal("too-many-rows", reply.Code);
        Assert.Contains("5,000", reply.Json.Text("detail"));
        await AssertNothingReported(grantId, version);
    }

    [Fact]
    public async Task a_csv_report_beyond_the_csv_cap_is_a_413_and_a_long_csv_description_a_400_naming_the_entry()
    {
        var (grantId, grantee) = await BudgetedGrant();
        var version = (await _ledger.Grant(grantId))["version"]!.GetValue<long>();
        const string url = "/api/grants/{0}/expenditure-reports?periodStart=2020-04-01&periodEnd=2020-12-31";

        var huge = await host.Send(HttpMethod.Post, string.Format(url, grantId), user: grantee,
            content: new StringContent("budgetLine,date,description,amount,currency\nC1,2020-05-01," + new string('x', 5 * 1024 * 1024) + ",1,KGS\n", Encoding.UTF8, "text/csv"));
        var long_ = await host.Send(HttpMethod.Post, string.Format(url, grantId), user: grantee,
            content: new StringContent("budgetLine,date,description,amount,currency\nC1,2020-05-01," + new string('x', 2_001) + ",1,KGS\n", Encoding.UTF8, "text/csv"));

        Assert.Equal(413, huge.Status);
        Assert.Equal("payload-too-large", huge.Code);
        Assert.Contains("4 MB", huge.Json.Text("detail"));
        AssertNamesFieldAndCap(long_, "entries[0].description", "2,000 characters");
        await AssertNothingReported(grantId, version);
    }

    [Fact]
    public async Task more_supporting_files_than_the_cap_are_refused_and_nothing_is_stored()
    {
        var (grantId, grantee) = await BudgetedGrant();
        var version = (await _ledger.Grant(grantId))["version"]!.GetValue<long>();
        using var form = new MultipartFormDataContent
        {
            { new StringContent(JsonSerializer.Serialize(new { periodStart = "2020-04-01", periodEnd = "2020-12-31", entries = Enumerable.Range(0, 51).Select(_ => Entry()).ToArray() })), "report" },
        };
        for (var i = 1; i <= 51; i++)
        {
            form.Add(new ByteArrayContent(Encoding.ASCII.GetBytes("%PDF-1.4\n%%EOF\n")), $"file-{i}", $"receipt-{i}.pdf");
        }

        var reply = await host.Send(HttpMethod.Post, $"/api/grants/{grantId}/expenditure-reports", user: grantee, content: form);

        Assert.Equal(400, reply.Status);
        Assert.Equal("too-many-files", reply.Code);
        Assert.Contains("50", reply.Json.Text("detail"));
        await AssertNothingReported(grantId, version);
    }

    [Fact]
    public async Task a_form_with_more_fields_than_the_cap_is_a_400_not_a_server_error()
    {
        var grantId = await _ledger.GrantOf(1_000m);
        var milestoneId = await _ledger.PlanMilestone(grantId, "2020-09-30");
        var grantee = await host.GranteeUser((await _ledger.Grant(grantId)).Text("grantee"));
        using var form = new MultipartFormDataContent();
        for (var i = 0; i < 1_100; i++)
        {
            form.Add(new StringContent("x"), $"field{i}");
        }

        form.Add(new ByteArrayContent(Encoding.ASCII.GetBytes("%PDF-1.4\n%%EOF\n")), "files", "report.pdf");

        var reply = await host.Send(HttpMethod.Post, $"/api/grants/{grantId}/milestones/{milestoneId}/submission", user: grantee, content: form);

        Assert.Equal(400, reply.Status);
        Assert.Equal("malformed-request", reply.Code);
        Assert.Equal("planned", (await _ledger.Milestone(grantId, milestoneId)).Text("status"));
    }

    [Fact]
    public async Task a_submission_note_beyond_its_cap_is_a_400_naming_note()
    {
        var grantId = await _ledger.GrantOf(1_000m);
        var milestoneId = await _ledger.PlanMilestone(grantId, "2020-09-30");

        var reply = await _ledger.Submit(grantId, milestoneId, new string('n', 2_001), ("report.pdf", Encoding.ASCII.GetBytes("%PDF-1.4\n%%EOF\n"), "application/pdf"));

        AssertNamesFieldAndCap(reply, "note", "2,000 characters");
        Assert.Equal("planned", (await _ledger.Milestone(grantId, milestoneId)).Text("status"));
    }

    [Fact]
    public async Task an_ods_whose_mimetype_entry_inflates_to_megabytes_is_refused_as_not_a_spreadsheet()
    {
        var grantId = await _ledger.GrantOf(1_000m);
        var milestoneId = await _ledger.PlanMilestone(grantId, "2020-09-30");
        using var zip = new MemoryStream();
        using (var archive = new ZipArchive(zip, ZipArchiveMode.Create, leaveOpen: true))
        {
            // The right mimetype, then 64 MB of blanks that a trimming ReadToEnd would inflate, hold, and accept.
            await using var entry = archive.CreateEntry("mimetype", CompressionLevel.SmallestSize).Open();
            entry.Write("application/vnd.oasis.opendocument.spreadsheet"u8);
            var blanks = new byte[1024 * 1024];
            Array.Fill(blanks, (byte)' ');
            for (var i = 0; i < 64; i++)
            {
                entry.Write(blanks);
            }
        }

        var bomb = zip.ToArray();
        Assert.True(bomb.Length < LedgerHost.TestMaxEvidenceBytes, $"the zip is {bomb.Length} bytes");

        var reply = await _ledger.Submit(grantId, milestoneId, "budget", ("budget.ods", bomb, "application/vnd.oasis.opendocument.spreadsheet"));

        Assert.Equal(415, reply.Status);
        Assert.Equal("unsupported-evidence-type", reply.Code);
        Assert.Equal("planned", (await _ledger.Milestone(grantId, milestoneId)).Text("status"));
    }

    [Fact]
    public async Task a_verification_upload_beyond_twenty_megabytes_is_a_413_for_any_role()
    {
        var pdf = new byte[21 * 1024 * 1024];
        "%PDF-1.4\n"u8.CopyTo(pdf);

        var reply = await _ledger.VerifyReport(pdf, user: "auditor");

        Assert.Equal(413, reply.Status);
        Assert.Equal("payload-too-large", reply.Code);
        Assert.Contains("20 MB", reply.Json.Text("detail"));
    }

    [Fact]
    public async Task more_rates_than_the_cap_are_a_400_and_save_none()
    {
        var rates = Enumerable.Range(0, 5_001).Select(i => new { currency = "ZZZ", month = $"{1000 + i / 12:D4}-{i % 12 + 1:D2}", unitsPerEur = 1.5m }).ToArray();

        var reply = await host.Send(HttpMethod.Put, "/api/fx-rates", JsonSerializer.Serialize(new { rates }));

        AssertNamesFieldAndCap(reply, "rates", "at most 5,000 items");
        Assert.DoesNotContain((await host.Get("/api/fx-rates")).Json.AsArray(), r => r!.Text("currency") == "ZZZ");
    }

    [Fact]
    public async Task a_rate_source_beyond_its_cap_is_a_400_from_json_and_from_csv()
    {
        var json = await host.Send(HttpMethod.Put, "/api/fx-rates",
            JsonSerializer.Serialize(new { rates = new[] { new { currency = "ZZY", month = "2019-01", unitsPerEur = 1.5m, source = new string('s', 201) } } }));
        var csv = await host.Send(HttpMethod.Put, "/api/fx-rates",
            content: new StringContent($"currency,month,unitsPerEur,source\nZZY,2019-01,1.5,{new string('s', 201)}\n", Encoding.UTF8, "text/csv"));

        AssertNamesFieldAndCap(json, "rates[0].source", "200 characters");
        AssertNamesFieldAndCap(csv, "rates[0].source", "200 characters");
        Assert.DoesNotContain((await host.Get("/api/fx-rates")).Json.AsArray(), r => r!.Text("currency") == "ZZY");
    }

    [Fact]
    public async Task a_budget_with_more_lines_than_the_cap_or_a_long_heading_is_a_400_and_sets_nothing()
    {
        var grantId = await _ledger.GrantOf(80_000m);
        var version = (await _ledger.Grant(grantId))["version"]!.GetValue<long>();
        var many = Enumerable.Range(0, 201).Select(i => new { code = $"L{i}", heading = "personnel", description = "x", amount = 1m }).ToArray();
        var longHeading = new[] { new { code = "P1", heading = new string('h', 101), description = "x", amount = 80_000m } };

        var tooMany = await host.Send(HttpMethod.Put, $"/api/grants/{grantId}/budget", JsonSerializer.Serialize(new { lines = many }));
        var tooLong = await host.Send(HttpMethod.Put, $"/api/grants/{grantId}/budget", JsonSerializer.Serialize(new { lines = longHeading }));

        AssertNamesFieldAndCap(tooMany, "lines", "at most 200 items");
        AssertNamesFieldAndCap(tooLong, "lines[0].heading", "100 characters");
        Assert.Equal(version, (await _ledger.Grant(grantId))["version"]!.GetValue<long>());
    }

    public static TheoryData<string, string, string> LongFields => new()
    {
        { "title", "title", "500 characters" },
        { "reason", "reason", "2,000 characters" },
        { "countries", "countries", "at most 50 items" },
        { "tranches", "tranches", "at most 50 items" },
    };

    [Theory]
    [MemberData(nameof(LongFields))]
    public async Task an_award_with_a_field_beyond_its_cap_is_a_400_naming_it_and_commits_nothing(string which, string field, string cap)
    {
        var programmeId = await _ledger.OpenProgramme();
        var body = new Dictionary<string, object>
        {
            ["organisationId"] = await host.OrganisationNamed("Snow Leopard Trust"),
            ["countries"] = which == "countries" ? Enumerable.Repeat("KG", 51).ToArray() : ["KG"],
            ["title"] = which == "title" ? new string('t', 501) : "Corrals",
            ["amount"] = 1_000m,
            ["windowStart"] = "2020-04-01",
            ["windowEnd"] = "2021-09-30",
            ["reason"] = which == "reason" ? new string('r', 2_001) : "Awarded by the board",
            ["tranches"] = which == "tranches" ? Enumerable.Repeat(new { amount = 1m }, 51).ToArray() : new[] { new { amount = 1_000m } },
        };

        var reply = await host.Send(HttpMethod.Post, $"/api/programmes/{programmeId}/grants", JsonSerializer.Serialize(body));

        AssertNamesFieldAndCap(reply, field, cap);
        Assert.Equal(0m, (await _ledger.Programme(programmeId)).Decimal("committed"));
    }

    [Fact]
    public async Task a_payment_reference_note_or_reversal_reason_beyond_its_cap_is_a_400_and_pays_nothing()
    {
        var grantId = await _ledger.GrantOf(1_000m);
        var paid = await _ledger.Disburse(grantId, 10m);
        var key = new Dictionary<string, string> { ["Idempotency-Key"] = Guid.NewGuid().ToString() };

        var reference = await host.Post($"/api/grants/{grantId}/disbursements",
            new { amount = 10m, valueDate = "2020-05-04", reference = new string('R', 101) }, key);
        var note = await host.Post($"/api/grants/{grantId}/disbursements",
            new { amount = 10m, valueDate = "2020-05-04", reference = "R", note = new string('n', 2_001) }, key);
        var reversal = await _ledger.TryReverse(grantId, paid, new string('r', 2_001));

        AssertNamesFieldAndCap(reference, "reference", "100 characters");
        AssertNamesFieldAndCap(note, "note", "2,000 characters");
        AssertNamesFieldAndCap(reversal, "reason", "2,000 characters");
        Assert.Equal(10m, (await _ledger.Grant(grantId)).Decimal("disbursed"));
    }

    [Fact]
    public async Task a_milestone_title_an_amendment_with_too_many_tranches_and_a_review_reason_beyond_their_caps_are_400s()
    {
        var grantId = await _ledger.GrantOf(1_000m);
        var version = (await _ledger.Grant(grantId))["version"]!.GetValue<long>();

        var title = await host.Post($"/api/grants/{grantId}/milestones", new { title = new string('t', 501), kind = "interim", dueDate = "2020-09-30" });
        var amendment = await host.Post($"/api/grants/{grantId}/amendments",
            new { reason = "More tranches", tranches = Enumerable.Repeat(new { amount = 1m }, 51).ToArray() });
        var review = await host.Post($"/api/grants/{grantId}/expenditure-reports/{Guid.NewGuid()}/review",
            new { entries = new[] { new { id = Guid.NewGuid(), accepted = false, reason = new string('r', 2_001) } } });

        AssertNamesFieldAndCap(title, "title", "500 characters");
        AssertNamesFieldAndCap(amendment, "tranches", "at most 50 items");
        AssertNamesFieldAndCap(review, "entries[0].reason", "2,000 characters");
        Assert.Equal(version, (await _ledger.Grant(grantId))["version"]!.GetValue<long>());
    }

    [Fact]
    public void each_endpoint_kind_gets_its_body_cap_and_a_page_upload_the_evidence_cap()
    {
        var endpoints = host.Host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();
        var evidence = GrantLedger.Api.Http.RequestBodyLimits.EvidenceBody(
            host.Host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<GrantLedger.Api.Milestones.MilestoneOptions>>().Value);
        long Cap(string method, string route, string contentType)
        {
            var endpoint = endpoints.First(e => e.RoutePattern.RawText?.TrimStart('/') == route.TrimStart('/') &&
                (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods.Contains(method) ?? true));
            var context = new DefaultHttpContext { RequestServices = host.Host.Services };
            context.Request.Method = method;
            context.Request.ContentType = contentType;
            context.SetEndpoint(endpoint);
            return GrantLedger.Api.Http.RequestBodyLimits.CapFor(context);
        }

        Assert.Equal(1024 * 1024, Cap("POST", "/api/grants/{grantId}/disbursements", "application/json"));
        Assert.Equal(1024 * 1024, Cap("POST", "/api/grants/{grantId}/disbursements", "multipart/form-data; boundary=x"));
        Assert.Equal(4 * 1024 * 1024, Cap("PUT", "/api/fx-rates", "text/csv"));
        Assert.Equal(1024 * 1024, Cap("PUT", "/api/fx-rates", "application/json"));
        Assert.Equal(evidence, Cap("POST", "/api/grants/{grantId}/milestones/{milestoneId}/submission", "multipart/form-data; boundary=x"));
        Assert.Equal(evidence, Cap("POST", "/api/grants/{grantId}/expenditure-reports", "multipart/form-data; boundary=x"));
        Assert.Equal(20 * 1024 * 1024, Cap("POST", "/api/reports/verification", "multipart/form-data; boundary=x"));
        Assert.Equal(evidence, Cap("POST", "grants/{id:guid}", "multipart/form-data; boundary=x"));
        Assert.Equal(1024 * 1024, Cap("POST", "grants/{id:guid}", "application/x-www-form-urlencoded"));
    }

    /// <summary>A readable stream that will not say how long it is, as a client streaming a body chunked would.</summary>
    private sealed class UnknownLength(byte[] content) : MemoryStream(content)
    {
        public override bool CanSeek => false;
    }
}
