using System.Text.Json.Nodes;

namespace GrantLedger.Api.Tests;

/// <summary>
/// Every figure of README.md's two demo tables, copied from the README by hand, against the API on the demo the
/// collection seeds (as run.sh seeds it). A change to the demo seed, the rates, the rounding or the README that
/// makes them disagree fails here.
/// </summary>
[Collection(LedgerCollection.Name)]
public class DemoReadmeFiguresTests(LedgerHost host) : FromStartOfTime(host.Clock)
{
    private const string Slt = "Snow Leopard Trust";
    private const string Slc = "Snow Leopard Conservancy";
    private const string Wwb = "Wildlife Without Borders, with the Institute of Zoology of Kazakhstan";

    private async Task<JsonNode> Grant(string grantee)
    {
        var grants = (await host.Get("/api/grants")).Json.AsArray();
        var id = grants.Single(g => g!.Text("grantee") == grantee)!.Text("id");
        var reply = await host.Get($"/api/grants/{id}");
        Assert.True(reply.Status == 200, reply.ToString());
        return reply.Json;
    }

    private async Task<JsonNode> Budget(string grantee)
    {
        var reply = await host.Get($"/api/grants/{(await Grant(grantee)).Text("id")}/budget");
        Assert.True(reply.Status == 200, reply.ToString());
        return reply.Json;
    }

    private static decimal PaidOnTranche(JsonNode grant, int number) =>
        grant["tranches"]!.AsArray().Single(t => t!["number"]!.GetValue<int>() == number)!.Decimal("paid");

    /// <summary>Milestone title → status, and whether it is overdue.</summary>
    private static Dictionary<string, (string Status, bool Overdue)> Milestones(JsonNode grant) =>
        grant["milestones"]!.AsArray().ToDictionary(m => m!.Text("title"), m => (m!.Text("status"), m!["overdue"]!.GetValue<bool>()));

    private const string Inception = "Inception report";
    private const string MidTerm = "Mid-term technical and financial report";
    private const string Final = "Final technical and financial report";

    [Fact]
    public async Task the_grants_table_shows_the_demo_as_seeded()
    {
        // | Snow Leopard Trust | KG | 80,000.00 | 64,000.00 (tranches 1 and 2) | inception and mid-term confirmed; final submitted, awaiting review |
        var slt = await Grant(Slt);
        Assert.Equal(["KG"], slt["countries"]!.AsArray().Select(c => c!.GetValue<string>()));
        Assert.Equal(80_000.00m, slt.Decimal("amount"));
        Assert.Equal(64_000.00m, slt.Decimal("disbursed"));
        Assert.Equal(32_000.00m, PaidOnTranche(slt, 1));
        Assert.Equal(32_000.00m, PaidOnTranche(slt, 2));
        Assert.Equal(0.00m, PaidOnTranche(slt, 3));
        Assert.Equal(new Dictionary<string, (string, bool)>
        {
            [Inception] = ("confirmed", false), [MidTerm] = ("confirmed", false), [Final] = ("submitted", false),
        }, Milestones(slt));
        Assert.False(slt["onHold"]!.GetValue<bool>());

        // | Snow Leopard Conservancy | KG, TJ | 70,000.00 | 28,000.00 (tranche 1; a mis-keyed payment of 2,800.00 reversed) | as SLT |
        var slc = await Grant(Slc);
        Assert.Equal(["KG", "TJ"], slc["countries"]!.AsArray().Select(c => c!.GetValue<string>()));
        Assert.Equal(70_000.00m, slc.Decimal("amount"));
        Assert.Equal(28_000.00m, slc.Decimal("disbursed"));
        Assert.Equal(28_000.00m, PaidOnTranche(slc, 1));
        Assert.Equal(0.00m, PaidOnTranche(slc, 2));
        var payments = slc["disbursements"]!.AsArray().Select(d => (d.Decimal("amount"), d!.Text("status"))).OrderBy(d => d.Item1);
        Assert.Equal([(2_800.00m, "reversed"), (28_000.00m, "recorded")], payments);
        Assert.Equal(new Dictionary<string, (string, bool)>
        {
            [Inception] = ("confirmed", false), [MidTerm] = ("confirmed", false), [Final] = ("submitted", false),
        }, Milestones(slc));

        // | Wildlife Without Borders, ... | KZ | 60,000.00 | 12,000.00 (half of tranche 1) | inception confirmed; mid-term
        //   rejected after its deadline; final never delivered — both overdue, so the grantee is on hold |
        var wwb = await Grant(Wwb);
        Assert.Equal(["KZ"], wwb["countries"]!.AsArray().Select(c => c!.GetValue<string>()));
        Assert.Equal(60_000.00m, wwb.Decimal("amount"));
        Assert.Equal(12_000.00m, wwb.Decimal("disbursed"));
        var tranche1 = wwb["tranches"]!.AsArray().Single(t => t!["number"]!.GetValue<int>() == 1)!;
        Assert.Equal((24_000.00m, 12_000.00m), (tranche1.Decimal("amount"), tranche1.Decimal("paid")));
        Assert.Equal(new Dictionary<string, (string, bool)>
        {
            [Inception] = ("confirmed", false), [MidTerm] = ("rejected", true), [Final] = ("planned", true),
        }, Milestones(wwb));
        Assert.True(wwb["onHold"]!.GetValue<bool>());

        // | (programme reserve, unallocated) | | 10,000.00 | | |  and 220,000.00 EUR in all
        var listed = (await host.Get("/api/programmes")).Json.AsArray().Single(p => p!.Text("code") == "SOS-CA-1")!;
        var programme = await new Ledger(host).Programme(Guid.Parse(listed.Text("id")));
        Assert.Equal(220_000.00m, programme.Decimal("allocation"));
        Assert.Equal(210_000.00m, programme.Decimal("committed"));
        Assert.Equal(10_000.00m, programme.Decimal("uncommitted"));
        Assert.Equal(104_000.00m, programme.Decimal("disbursed"));
    }

    [Fact]
    public async Task each_demo_payment_of_ten_thousand_or_more_was_recorded_by_the_finance_officer_and_approved_by_the_approver()
    {
        var users = (await host.Get("/api/users", user: "admin")).Json.AsArray();
        string UserId(string email) => users.Single(u => u!.Text("email") == email)!.Text("id");
        var payments = new List<JsonNode>();
        foreach (var grantee in new[] { Slt, Slc, Wwb })
        {
            payments.AddRange((await Grant(grantee))["disbursements"]!.AsArray().Select(d => d!));
        }

        var large = payments.Where(p => p.Decimal("amount") >= 10_000.00m).ToList();

        // 32,000.00 and 32,000.00 to Snow Leopard Trust, 28,000.00 to Snow Leopard Conservancy, 12,000.00 to WWB.
        Assert.Equal([12_000.00m, 28_000.00m, 32_000.00m, 32_000.00m], large.Select(p => p.Decimal("amount")).Order());
        Assert.All(large, p =>
        {
            Assert.Equal("recorded", p.Text("status"));
            Assert.Equal(UserId("finance@ecaro.example"), p.Text("recordedBy"));
            Assert.Equal(UserId("approver@ecaro.example"), p.Text("decidedBy"));
        });
    }

    [Fact]
    public async Task the_expenditure_table_shows_spending_in_eur_at_the_donor_and_the_actual_rate_as_seeded()
    {
        // | Grantee | Spent at the donor rate | at the actual rate | FX difference | Awaiting review | Unspent balance |
        var expected = new (string Grantee, decimal Donor, decimal Actual, decimal Fx, decimal Awaiting, decimal Unspent, decimal Paid)[]
        {
            (Slt, 36_751.91m, 38_525.08m, 1_773.17m, 1_567.53m, 27_248.09m, 64_000.00m),
            (Slc, 24_233.27m, 25_885.54m, 1_652.27m, 0.00m, 3_766.73m, 28_000.00m),
            (Wwb, 6_119.19m, 6_218.14m, 98.95m, 2_501.59m, 5_880.81m, 12_000.00m),
        };

        foreach (var row in expected)
        {
            var budget = await Budget(row.Grantee);
            var totals = budget["totals"];
            Assert.Equal(row, (row.Grantee, totals.Decimal("spentAtDonorRate"), totals.Decimal("spentAtActualRate"), totals.Decimal("fxDifference"),
                totals.Decimal("pendingReview"), budget.Decimal("unspentBalance"), budget.Decimal("disbursed")));
        }

        // "Snow Leopard Trust confirmed that its first 32,000.00 EUR arrived as 2,724,000.00 KGS": 85.125 som per euro.
        Assert.Equal(85.125m, (await Budget(Slt))["arrivalRates"]!["KGS"]!.GetValue<decimal>());
    }
}
