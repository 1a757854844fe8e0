using System.Text;
using System.Text.Json;

namespace GrantLedger.Api.Tests;

[Collection(LedgerCollection.Name)]
public class BudgetAndExpenditureTests(LedgerHost host) : FromStartOfTime(host.Clock)
{
    private readonly Ledger _ledger = new(host);

    private static object Budget(decimal community = 28_000m, decimal indirect = 5_000m, decimal equipment = 10_000m) => new
    {
        lines = BudgetLines(community, indirect, equipment),
    };

    private static object[] BudgetLines(decimal community = 28_000m, decimal indirect = 5_000m, decimal equipment = 10_000m) =>
        new object[]
        {
            new { code = "P1", heading = "personnel", description = "Coordinators", amount = 24_000m },
            new { code = "T1", heading = "travel", description = "Field travel", amount = 8_000m },
            new { code = "E1", heading = "equipment", description = "Camera traps", amount = equipment },
            new { code = "C1", heading = "community-activities", description = "Predator-proof corrals", amount = community },
            new { code = "M1", heading = "monitoring-and-evaluation", description = "Survey", amount = 5_000m },
            new { code = "I1", heading = "indirect-costs", description = "Indirect costs", amount = indirect },
        };

    /// <summary>
    /// The demo's donor rates cover 2020-04 to 2021-09, and the collection's demo keeps the figures README.md shows
    /// (<see cref="DemoReadmeFiguresTests"/>): a test that enters rates of its own pays and spends in 2019, when the
    /// demo has none.
    /// </summary>
    private const string RatesOfOurOwn = "2019";

    private async Task<(Guid Grant, string Grantee)> BudgetedGrant(decimal[]? tranches = null, string start = "2020-04-01", string end = "2021-09-30")
    {
        var awarded = await _ledger.TryAward(await _ledger.OpenProgramme(start: start, end: end), 80_000m, start, end,
            tranches: tranches ?? [40_000m, 40_000m]);
        Assert.True(awarded.Status == 201, awarded.ToString());
        var grantId = awarded.Id;
        var set = await host.Send(HttpMethod.Put, $"/api/grants/{grantId}/budget", JsonSerializer.Serialize(Budget()));
        Assert.True(set.Status == 200, set.ToString());
        return (grantId, await host.GranteeUser((await _ledger.Grant(grantId)).Text("grantee")));
    }

    private Task<Reply> PutRates(params (string Currency, string Month, decimal Rate)[] rates) =>
        host.Send(HttpMethod.Put, "/api/fx-rates", JsonSerializer.Serialize(new
        {
            rates = rates.Select(r => new { currency = r.Currency, month = r.Month, unitsPerEur = r.Rate }),
        }));

    private Task<Reply> Report(Guid grantId, string grantee, params object[] entries) =>
        ReportFor(grantId, grantee, "2020-04-01", "2020-12-31", entries);

    private async Task<Reply> ReportFor(Guid grantId, string grantee, string periodStart, string periodEnd, params object[] entries) =>
        await host.Post($"/api/grants/{grantId}/expenditure-reports", new { periodStart, periodEnd, entries }, user: grantee);

    private async Task<JsonElement> BudgetView(Guid grantId) =>
        JsonDocument.Parse((await host.Get($"/api/grants/{grantId}/budget")).Json.ToJsonString()).RootElement;

    [Fact]
    public async Task fx_rates_keep_six_decimals_exactly_and_a_bad_csv_line_saves_nothing()
    {
        var put = await PutRates(("KZT", "2019-01", 455.123456m));
        var csv = await host.Send(HttpMethod.Put, "/api/fx-rates",
            content: new StringContent("currency,month,unitsPerEur\nTJS,2019-01,11.2345\nTJS,2019-02,eleven\nRUB,2019-03,90\n", Encoding.UTF8, "text/csv"));

        Assert.Equal(200, put.Status);
        var rates = (await host.Get("/api/fx-rates")).Json.AsArray();
        Assert.Equal(455.123456m, rates.Single(r => r!.Text("currency") == "KZT" && r.Text("month") == "2019-01")!.Decimal("unitsPerEur"));
        Assert.Equal(422, csv.Status);
        Assert.Equal("invalid-fx-rates", csv.Code);
        Assert.Contains(csv.Json["errors"]!.AsArray(), e => e!["row"]!.GetValue<int>() == 2 && e.Text("field") == "unitspereur");
        Assert.DoesNotContain(rates, r => r!.Text("currency") == "TJS" && r.Text("month") == "2019-01");
    }

    [Fact]
    public async Task rates_can_be_imported_from_a_spreadsheet_export()
    {
        var csv = await host.Send(HttpMethod.Put, "/api/fx-rates",
            content: new StringContent("\uFEFFcurrency;month;unitsPerEur;source\nUSD;2019-05;1.1213;InforEuro May 2019\n", Encoding.UTF8, "text/csv"));

        Assert.Equal(200, csv.Status);
        Assert.Contains(csv.Json.AsArray(), r => r!.Text("currency") == "USD" && r.Text("month") == "2019-05" && r.Decimal("unitsPerEur") == 1.1213m);
    }

    [Fact]
    public async Task a_budget_must_add_up_and_keep_indirect_costs_within_the_cap()
    {
        var grantId = await _ledger.GrantOf(80_000m);

        var mismatch = await host.Send(HttpMethod.Put, $"/api/grants/{grantId}/budget", JsonSerializer.Serialize(Budget(community: 27_000m)));
        var overCap = await host.Send(HttpMethod.Put, $"/api/grants/{grantId}/budget", JsonSerializer.Serialize(Budget(community: 27_000m, indirect: 6_000m)));

        Assert.Equal("budget-total-mismatch", mismatch.Code);
        Assert.Equal("indirect-cost-cap-exceeded", overCap.Code);
        Assert.False((await BudgetView(grantId)).GetProperty("budgetSet").GetBoolean());
    }

    [Fact]
    public async Task a_reallocation_over_a_quarter_of_a_heading_is_refused_until_amended()
    {
        var (grantId, _) = await BudgetedGrant();
        var lines = (await BudgetView(grantId)).GetProperty("lines").EnumerateArray().ToDictionary(l => l.GetProperty("code").GetString()!, l => l.GetProperty("id").GetGuid());

        var revision = await host.Post($"/api/grants/{grantId}/budget/revisions", new
        {
            reason = "More corrals after the 2020 attacks",
            changes = new[] { new { lineId = lines["C1"], amount = 36_000m }, new { lineId = lines["E1"], amount = 2_000m } },
        });
        var amendment = await host.Post($"/api/grants/{grantId}/amendments", new
        {
            reason = "Donor approved moving equipment money to corrals (letter of 2021-02-01)",
            budget = BudgetLines(community: 36_000m, equipment: 2_000m),
        }, user: "approver");
        var ownApproval = await host.Send(HttpMethod.Post, $"/api/grants/{grantId}/amendments/{amendment.Id}/approval", user: "approver");
        var approval = await host.Send(HttpMethod.Post, $"/api/grants/{grantId}/amendments/{amendment.Id}/approval", user: "approver2");

        Assert.Equal("reallocation-cap-exceeded", revision.Code);
        Assert.Equal(201, amendment.Status);
        Assert.Equal("same-person-approval", ownApproval.Code);
        Assert.Equal(201, approval.Status);
        var community = (await BudgetView(grantId)).GetProperty("headings").EnumerateArray().Single(h => h.GetProperty("heading").GetString() == "community-activities");
        Assert.Equal(36_000m, community.GetProperty("planned").GetDecimal());
        Assert.Equal(36_000m, community.GetProperty("original").GetDecimal());
    }

    [Fact]
    public async Task an_amendment_adds_money_from_the_programme_reserve_and_extends_the_grant()
    {
        var programmeId = await _ledger.OpenProgramme(allocation: 100_000m);
        var grantId = await _ledger.Award(programmeId, 80_000m);

        var amendment = await host.Post($"/api/grants/{grantId}/amendments", new { reason = "Second field season", amount = 90_000m, endDate = "2021-09-30" });
        var tooMuch = await host.Post($"/api/grants/{grantId}/amendments", new { reason = "Greedy", amount = 100_000.01m });
        await host.Send(HttpMethod.Post, $"/api/grants/{grantId}/amendments/{amendment.Id}/approval", user: "approver");

        Assert.Equal("allocation-exceeded", tooMuch.Code);
        var grant = await _ledger.Grant(grantId);
        Assert.Equal(90_000m, grant.Decimal("amount"));
        Assert.Equal(90_000m, (await _ledger.Programme(programmeId)).Decimal("committed"));
    }

    [Fact]
    public async Task budget_vs_actual_shows_accepted_spending_at_the_donor_and_actual_rate_with_the_difference()
    {
        var (grantId, grantee) = await BudgetedGrant(start: $"{RatesOfOurOwn}-01-01", end: $"{RatesOfOurOwn}-12-31");
        Assert.Equal(200, (await PutRates(("KGS", $"{RatesOfOurOwn}-08", 80m))).Status);
        var paid = await _ledger.TryDisburse(grantId, 40_000m, trancheId: await _ledger.Tranche(grantId, 1), valueDate: $"{RatesOfOurOwn}-04-20");
        var receipt = await host.Post($"/api/grants/{grantId}/disbursements/{paid.Id}/receipt", new { amount = 3_600_000m, currency = "KGS" }, user: grantee);

        var report = await ReportFor(grantId, grantee, $"{RatesOfOurOwn}-04-01", $"{RatesOfOurOwn}-12-31",
            new { budgetLineCode = "C1", date = $"{RatesOfOurOwn}-08-15", description = "Corrals, Ak-Shyirak", amount = 1_000_000m, currency = "KGS" },
            new { budgetLineCode = "P1", date = $"{RatesOfOurOwn}-08-31", description = "Rangers, August", amount = 50_000m, currency = "KGS" });
        var entries = (await host.Get($"/api/grants/{grantId}/expenditure-reports")).Json[0]!["entries"]!.AsArray();
        var review = await host.Post($"/api/grants/{grantId}/expenditure-reports/{report.Id}/review", new
        {
            entries = new object[]
            {
                new { id = Guid.Parse(entries[0]!.Text("id")), accepted = true },
                new { id = Guid.Parse(entries[1]!.Text("id")), accepted = false, reason = "No payslips attached" },
            },
        });

        Assert.Equal(201, receipt.Status);
        Assert.Equal(201, report.Status);
        Assert.Equal(200, review.Status);
        var view = await BudgetView(grantId);
        var totals = view.GetProperty("totals");
        // 1,000,000 KGS at the donor rate of 80 per EUR = 12,500.00; at the 90 it arrived at = 11,111.11.
        Assert.Equal(12_500.00m, totals.GetProperty("spentAtDonorRate").GetDecimal());
        Assert.Equal(11_111.11m, totals.GetProperty("spentAtActualRate").GetDecimal());
        Assert.Equal(-1_388.89m, totals.GetProperty("fxDifference").GetDecimal());
        Assert.Equal(27_500.00m, view.GetProperty("unspentBalance").GetDecimal());
        var corrals = view.GetProperty("lines").EnumerateArray().Single(l => l.GetProperty("code").GetString() == "C1").GetProperty("actuals");
        Assert.Equal(15_500.00m, corrals.GetProperty("remaining").GetDecimal());
    }

    [Fact]
    public async Task a_further_tranche_waits_for_seventy_percent_reported_spend_unless_overridden()
    {
        var (grantId, grantee) = await BudgetedGrant(start: $"{RatesOfOurOwn}-01-01", end: $"{RatesOfOurOwn}-12-31");
        Assert.Equal(200, (await PutRates(("KGS", $"{RatesOfOurOwn}-09", 80m))).Status);
        Assert.Equal(201, (await _ledger.TryDisburse(grantId, 40_000m, trancheId: await _ledger.Tranche(grantId, 1), valueDate: $"{RatesOfOurOwn}-04-20")).Status);
        var tranche2 = await _ledger.Tranche(grantId, 2);

        var refused = await _ledger.TryDisburse(grantId, 40_000m, trancheId: tranche2, valueDate: $"{RatesOfOurOwn}-10-01");
        var report = await ReportFor(grantId, grantee, $"{RatesOfOurOwn}-04-01", $"{RatesOfOurOwn}-12-31",
            new { budgetLineCode = "C1", date = $"{RatesOfOurOwn}-09-15", description = "Corrals", amount = 2_240_000m, currency = "KGS" });
        var entry = (await host.Get($"/api/grants/{grantId}/expenditure-reports")).Json[0]!["entries"]![0]!;
        await host.Post($"/api/grants/{grantId}/expenditure-reports/{report.Id}/review", new { entries = new[] { new { id = Guid.Parse(entry.Text("id")), accepted = true } } });
        var allowed = await _ledger.TryDisburse(grantId, 40_000m, trancheId: tranche2, valueDate: $"{RatesOfOurOwn}-10-01");

        Assert.Equal(422, refused.Status);
        Assert.Equal("insufficient-reported-spend", refused.Code);
        Assert.Equal(201, allowed.Status); // 2,240,000 / 80 = 28,000.00 = 70% of 40,000
    }

    [Fact]
    public async Task a_csv_report_with_one_bad_row_imports_nothing_and_names_the_row()
    {
        var (grantId, grantee) = await BudgetedGrant();

        var bad = await host.Send(HttpMethod.Post, $"/api/grants/{grantId}/expenditure-reports?periodStart=2020-04-01&periodEnd=2020-12-31",
            content: new StringContent("budgetLine,date,description,amount,currency\nC1,2020-05-01,Corrals,100000,KGS\nC1,2020-05-02,Fence wire,lots,KGS\nZ9,2020-05-03,Fuel,100,RUB\n",
                Encoding.UTF8, "text/csv"), user: grantee);
        var good = await host.Send(HttpMethod.Post, $"/api/grants/{grantId}/expenditure-reports?periodStart=2020-04-01&periodEnd=2020-12-31",
            content: new StringContent("budgetLine,date,description,amount,currency\nC1,2020-05-01,\"Corrals, village of Tosor\",100000.50,KGS\n",
                Encoding.UTF8, "text/csv"), user: grantee);

        Assert.Equal(422, bad.Status);
        Assert.Contains(bad.Json["errors"]!.AsArray(), e => e!["row"]!.GetValue<int>() == 2 && e.Text("field") == "amount");
        Assert.Equal(201, good.Status);
        var reports = (await host.Get($"/api/grants/{grantId}/expenditure-reports")).Json.AsArray();
        var only = Assert.Single(reports)!["entries"]!.AsArray().Single()!;
        Assert.Equal("Corrals, village of Tosor", only.Text("description"));
        Assert.Equal(100_000.50m, only.Decimal("amount"));
    }

    [Fact]
    public async Task a_json_report_names_every_bad_row_and_an_expense_outside_the_grant_is_ineligible()
    {
        var (grantId, grantee) = await BudgetedGrant();

        var bad = await Report(grantId, grantee,
            new { budgetLineCode = "C1", date = "2020-05-01", description = "Corrals", amount = 10m, currency = "KGS" },
            new { budgetLineCode = "C1", date = "2020-05-01", description = "Corrals", amount = 10m, currency = "RUB" });
        var late = await host.Post($"/api/grants/{grantId}/expenditure-reports",
            new { periodStart = "2021-07-01", periodEnd = "2021-12-31", entries = new[] { new { budgetLineCode = "C1", date = "2021-10-10", description = "After the grant", amount = 10m, currency = "KGS" } } },
            user: grantee);

        Assert.Equal(422, bad.Status);
        Assert.Equal([2], bad.Json["errors"]!.AsArray().Select(e => e!["row"]!.GetValue<int>()).Distinct());
        Assert.Equal(201, late.Status);
        Assert.Equal(1, late.Json["ineligible"]!.GetValue<int>());
    }

    [Fact]
    public async Task a_supporting_file_travels_with_its_entry()
    {
        var (grantId, grantee) = await BudgetedGrant();
        var receipt = Encoding.ASCII.GetBytes("%PDF-1.4\n% invoice 17\n%%EOF\n");
        using var form = new MultipartFormDataContent
        {
            { new StringContent(JsonSerializer.Serialize(new
                {
                    periodStart = "2020-04-01", periodEnd = "2020-12-31",
                    entries = new[] { new { budgetLineCode = "E1", date = "2020-05-20", description = "Camera traps", amount = 6_200m, currency = "USD" } },
                })), "report" },
            { new ByteArrayContent(receipt), "file-1", "invoice-17.pdf" },
        };

        var reply = await host.Send(HttpMethod.Post, $"/api/grants/{grantId}/expenditure-reports", user: grantee, content: form);
        var entry = (await host.Get($"/api/grants/{grantId}/expenditure-reports")).Json[0]!["entries"]![0]!;
        using var download = await host.Download(entry.Text("fileUrl"), "auditor");

        Assert.Equal(201, reply.Status);
        Assert.Equal(receipt, await download.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task only_the_grantee_reports_spending_and_another_grantee_cannot_see_it()
    {
        var (grantId, grantee) = await BudgetedGrant();
        var stranger = await host.GranteeUser("Someone Else " + Guid.NewGuid().ToString("N")[..6]);

        var byFinance = await Report(grantId, "finance", new { budgetLineCode = "C1", date = "2020-05-01", description = "x", amount = 1m, currency = "KGS" });
        var byStranger = await Report(grantId, stranger, new { budgetLineCode = "C1", date = "2020-05-01", description = "x", amount = 1m, currency = "KGS" });
        var budgetForStranger = await host.Get($"/api/grants/{grantId}/budget", user: stranger);

        Assert.Equal(403, byFinance.Status);
        Assert.Equal(404, byStranger.Status);
        Assert.Equal(404, budgetForStranger.Status);
        Assert.Equal(200, (await host.Get($"/api/grants/{grantId}/budget", user: grantee)).Status);
    }

    [Fact]
    public async Task a_decimal_comma_is_refused_rather_than_misread()
    {
        var csv = await host.Send(HttpMethod.Put, "/api/fx-rates",
            content: new StringContent("currency;month;unitsPerEur\nKGS;2017-03;85,1234\n", Encoding.UTF8, "text/csv"));
        var form = await host.Send(HttpMethod.Put, "/api/fx-rates", content: new FormUrlEncodedContent([new("currency", "KGS")]));

        Assert.Equal(422, csv.Status);
        Assert.Contains("use a dot", csv.Json["errors"]![0]!.Text("message"));
        Assert.Equal(415, form.Status);
    }

    [Fact]
    public async Task spending_stays_with_its_line_when_an_amendment_restates_the_budget()
    {
        var (grantId, grantee) = await BudgetedGrant();
        var report = await Report(grantId, grantee, new { budgetLineCode = "C1", date = "2020-05-01", description = "Corrals", amount = 1_000m, currency = "EUR" });
        var entry = (await host.Get($"/api/grants/{grantId}/expenditure-reports")).Json[0]!["entries"]![0]!;
        await host.Post($"/api/grants/{grantId}/expenditure-reports/{report.Id}/review", new { entries = new[] { new { id = Guid.Parse(entry.Text("id")), accepted = true } } });

        var amendment = await host.Post($"/api/grants/{grantId}/amendments", new { reason = "More corrals", budget = BudgetLines(community: 36_000m, equipment: 2_000m) });
        await host.Send(HttpMethod.Post, $"/api/grants/{grantId}/amendments/{amendment.Id}/approval", user: "approver");

        var corrals = (await BudgetView(grantId)).GetProperty("lines").EnumerateArray().Single(l => l.GetProperty("code").GetString() == "C1");
        Assert.Equal(36_000m, corrals.GetProperty("amount").GetDecimal());
        Assert.Equal(1_000m, corrals.GetProperty("actuals").GetProperty("spentAtDonorRate").GetDecimal());
    }
}
