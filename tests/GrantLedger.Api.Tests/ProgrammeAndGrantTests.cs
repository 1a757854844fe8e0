using GrantLedger.Domain.Grants;
using Marten;
using NodaTime;

namespace GrantLedger.Api.Tests;

[Collection(LedgerCollection.Name)]
public class ProgrammeAndGrantTests(LedgerHost host) : FromStartOfTime(host.Clock)
{
    private readonly Ledger _ledger = new(host);

    [Fact]
    public async Task an_opened_programme_shows_its_allocation_window_and_nothing_committed()
    {
        var id = await _ledger.OpenProgramme(allocation: 220_000m);

        var programme = await _ledger.Programme(id);

        Assert.Equal(220_000m, programme.Decimal("allocation"));
        Assert.Equal(0m, programme.Decimal("committed"));
        Assert.Equal(220_000m, programme.Decimal("remaining"));
        Assert.Equal("2020-04-01", programme.Text("windowStart"));
        Assert.Equal("2021-09-30", programme.Text("windowEnd"));
        Assert.Equal("EUR", programme.Text("currency"));
        Assert.Equal(1, programme["version"]!.GetValue<long>());
    }

    [Fact]
    public async Task dates_and_money_survive_a_round_trip_through_the_event_store_exactly()
    {
        var programmeId = await _ledger.OpenProgramme(allocation: 1_234_567.89m, start: "2020-02-29", end: "2024-02-29");
        var grantReply = await host.Post($"/api/programmes/{programmeId}/grants", new
        {
            organisationId = await host.OrganisationNamed("Снежный барс — Кыргызстан"),
            countries = new[] { "KG", "TJ" },
            title = "Тоҷикистон / Қазақстан",
            amount = 98_765.43m,
            windowStart = "2020-02-29",
            windowEnd = "2022-12-31",
        });
        Assert.Equal(201, grantReply.Status);
        var paid = await _ledger.TryDisburse(grantReply.Id, 0.01m, valueDate: "2020-02-29");
        Assert.Equal(201, paid.Status);

        var grant = await _ledger.Grant(grantReply.Id);
        Assert.Equal(98_765.43m, grant.Decimal("amount"));
        Assert.Equal(98_765.42m, grant.Decimal("remaining"));
        Assert.Equal("Снежный барс — Кыргызстан", grant.Text("grantee"));
        Assert.Equal("2020-02-29", grant["disbursements"]![0]!.Text("valueDate"));
        Assert.Equal(1_234_567.89m, (await _ledger.Programme(programmeId)).Decimal("allocation"));

        // Straight from the stored events, not from a cached read model.
        await using var session = host.Store.QuerySession();
        var events = await session.Events.FetchStreamAsync(grantReply.Id);
        var awarded = Assert.IsType<GrantAwarded>(events[0].Data);
        var recorded = Assert.IsType<DisbursementRecorded>(events[1].Data);
        Assert.Equal(new LocalDate(2022, 12, 31), awarded.WindowEnd);
        Assert.Equal(98_765.43m, awarded.Amount.Amount);
        Assert.Equal(new LocalDate(2020, 2, 29), recorded.ValueDate);
        Assert.Equal(0.01m, recorded.Amount.Amount);
    }

    [Fact]
    public async Task the_programme_lists_its_grants_with_what_is_paid_and_what_remains()
    {
        var programmeId = await _ledger.OpenProgramme(allocation: 220_000m);
        var slt = await _ledger.Award(programmeId, 80_000m);
        await _ledger.Award(programmeId, 70_000m);
        await _ledger.Disburse(slt, 32_000m);

        var programme = await _ledger.Programme(programmeId);

        Assert.Equal(150_000m, programme.Decimal("committed"));
        Assert.Equal(70_000m, programme.Decimal("uncommitted"));
        Assert.Equal(32_000m, programme.Decimal("disbursed"));
        Assert.Equal(188_000m, programme.Decimal("remaining"));
        var line = programme["grants"]!.AsArray().Single(g => g!.Text("id") == slt.ToString())!;
        Assert.Equal(48_000m, line.Decimal("remaining"));

        var list = await host.Get("/api/programmes");
        var item = list.Json.AsArray().Single(p => p!.Text("id") == programmeId.ToString())!;
        Assert.Equal(32_000m, item.Decimal("disbursed"));
        Assert.Equal(150_000m, item.Decimal("committed"));
    }

    [Fact]
    public async Task awarding_beyond_the_allocation_is_refused_and_changes_nothing()
    {
        var programmeId = await _ledger.OpenProgramme(allocation: 100_000m);
        await _ledger.Award(programmeId, 90_000m);

        var reply = await _ledger.TryAward(programmeId, 10_000.01m);

        Assert.Equal(422, reply.Status);
        Assert.Equal("allocation-exceeded", reply.Code);
        Assert.Equal("application/problem+json", reply.ContentType);
        Assert.Equal(90_000m, (await _ledger.Programme(programmeId)).Decimal("committed"));
    }

    [Fact]
    public async Task concurrent_awards_never_commit_more_than_the_allocation()
    {
        var programmeId = await _ledger.OpenProgramme(allocation: 100_000m);

        var replies = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => _ledger.TryAward(programmeId, 30_000m)));

        Assert.All(replies, r => Assert.Contains(r.Status, new[] { 201, 409, 422 }));
        var awarded = replies.Count(r => r.Status == 201);
        Assert.InRange(awarded, 1, 3);
        var programme = await _ledger.Programme(programmeId);
        Assert.Equal(awarded * 30_000m, programme.Decimal("committed"));
        Assert.Equal(awarded, programme["grants"]!.AsArray().Count);
    }

    [Fact]
    public async Task a_grant_window_outside_the_programme_window_is_refused()
    {
        var programmeId = await _ledger.OpenProgramme();

        var reply = await _ledger.TryAward(programmeId, 1_000m, start: "2020-03-01");

        Assert.Equal(422, reply.Status);
        Assert.Equal("outside-window", reply.Code);
    }

    [Fact]
    public async Task a_grant_in_another_currency_is_refused()
    {
        var programmeId = await _ledger.OpenProgramme();

        var reply = await host.Post($"/api/programmes/{programmeId}/grants", new
        {
            organisationId = await host.OrganisationNamed("Wildlife Without Borders"), countries = new[] { "KZ" }, title = "Almaty", amount = 1_000m,
            currency = "KZT", windowStart = "2020-04-01", windowEnd = "2021-09-30",
        });

        Assert.Equal(422, reply.Status);
        Assert.Equal("currency-mismatch", reply.Code);
    }

    [Fact]
    public async Task a_stale_programme_version_is_a_conflict_not_an_overwrite()
    {
        var programmeId = await _ledger.OpenProgramme();
        await _ledger.Award(programmeId, 1_000m);

        var reply = await _ledger.TryAward(programmeId, 1_000m, expectedVersion: 1);

        Assert.Equal(409, reply.Status);
        Assert.Equal("version-conflict", reply.Code);
        Assert.Equal(1_000m, (await _ledger.Programme(programmeId)).Decimal("committed"));
    }

    [Fact]
    public async Task two_programmes_cannot_share_a_code()
    {
        var body = new { code = "DUP-" + Guid.NewGuid().ToString("N")[..8], name = "x", currency = "EUR", allocation = 1m, windowStart = "2020-01-01", windowEnd = "2020-12-31" };
        Assert.Equal(201, (await host.Post("/api/programmes", body)).Status);

        var again = await host.Post("/api/programmes", body);

        Assert.Equal(422, again.Status);
        Assert.Equal("programme-code-taken", again.Code);
    }

    [Fact]
    public async Task of_concurrent_programmes_with_one_code_one_opens_and_the_others_are_told_the_code_is_taken()
    {
        var body = new { code = "RACE-" + Guid.NewGuid().ToString("N")[..8], name = "x", currency = "EUR", allocation = 1m, windowStart = "2020-01-01", windowEnd = "2020-12-31" };

        var replies = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => host.Post("/api/programmes", body)));

        Assert.Single(replies, r => r.Status == 201);
        Assert.All(replies.Where(r => r.Status != 201), r =>
        {
            Assert.Equal(422, r.Status);
            Assert.Equal("programme-code-taken", r.Code);
        });
    }

    [Fact]
    public async Task unknown_programmes_and_grants_are_404_problems()
    {
        var programme = await host.Get($"/api/programmes/{Guid.NewGuid()}");
        var grant = await host.Get($"/api/grants/{Guid.NewGuid()}");
        var award = await _ledger.TryAward(Guid.NewGuid(), 1_000m);

        Assert.All(new[] { programme, grant, award }, r =>
        {
            Assert.Equal(404, r.Status);
            Assert.Equal("not-found", r.Code);
            Assert.Equal("application/problem+json", r.ContentType);
        });
    }
}
