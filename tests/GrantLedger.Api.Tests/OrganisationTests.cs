using System.Text.Json.Nodes;

namespace GrantLedger.Api.Tests;

/// <summary>Organisations and their bank accounts under four eyes, acting as the people who would abuse them.</summary>
[Collection(LedgerCollection.Name)]
public class OrganisationTests(LedgerHost host) : FromStartOfTime(host.Clock)
{
    private readonly Ledger _ledger = new(host);

    private static string Unique(string name) => $"{name} {Guid.NewGuid().ToString("N")[..6]}";

    private static object Account(string number = "KZ86 125K ZT50 0410 0100", Guid? replaces = null, string reason = "new account") => new
    {
        holder = "Eco Bilim", accountNumber = number, bankName = "Bank CenterCredit", bankCountry = "KZ", currency = "EUR", swift = "KCJBKZKX",
        reason, replaces,
    };

    private async Task<Guid> Propose(Guid organisation, object account, string user = "finance")
    {
        var proposed = await host.Post($"/api/organisations/{organisation}/bank-accounts", account, user: user);
        Assert.True(proposed.Status == 201, proposed.ToString());
        return Guid.Parse(proposed.Json.Text("accountId"));
    }

    private Task<Reply> Decide(Guid organisation, Guid account, string decision, string user = "approver", string? reason = null) =>
        host.Post($"/api/organisations/{organisation}/bank-accounts/{account}/{decision}", reason is null ? new { } : new { reason }, user: user);

    private async Task<JsonNode> AccountView(Guid organisation, Guid account, string user = "finance") =>
        (await host.Get($"/api/organisations/{organisation}", user)).Json["bankAccounts"]!.AsArray().Single(a => a!.Text("id") == account.ToString())!;

    private Task<Reply> Pay(Guid grant, Guid? bankAccountId) =>
        host.Post($"/api/grants/{grant}/disbursements", new { amount = 100m, valueDate = "2020-05-04", reference = "ACC-TEST", bankAccountId },
            new Dictionary<string, string> { ["Idempotency-Key"] = Guid.NewGuid().ToString() });

    [Fact]
    public async Task a_grantee_reads_its_own_organisation_and_nobody_elses_by_id_or_by_listing()
    {
        var (own, other) = (await host.RegisterOrganisation(Unique("Own")), await host.RegisterOrganisation(Unique("Other")));
        var grantee = await host.GranteeUserOf(own);

        var byId = await host.Get($"/api/organisations/{other}", grantee);
        var list = await host.Get("/api/organisations", grantee);
        var mine = await host.Get($"/api/organisations/{own}", grantee);

        Assert.Equal(404, byId.Status);
        Assert.Equal("not-found", byId.Code);
        Assert.Equal(own.ToString(), Assert.Single(list.Json.AsArray())!.Text("id"));
        Assert.Equal(200, mine.Status);
        Assert.True((await host.Get("/api/organisations", "auditor")).Json.AsArray().Count >= 2);
    }

    [Fact]
    public async Task a_grantee_cannot_propose_an_account_for_another_organisation()
    {
        var (own, other) = (await host.RegisterOrganisation(Unique("Own")), await host.RegisterOrganisation(Unique("Other")));
        var grantee = await host.GranteeUserOf(own);
        var before = (await host.Get($"/api/organisations/{other}")).Json["version"]!.GetValue<long>();

        var reply = await host.Post($"/api/organisations/{other}/bank-accounts", Account(), user: grantee);

        Assert.Equal(404, reply.Status);
        Assert.Equal(before, (await host.Get($"/api/organisations/{other}")).Json["version"]!.GetValue<long>());
        // Its own organisation it may: the proposal waits for finance.
        var ownProposal = await host.Post($"/api/organisations/{own}/bank-accounts", Account(), user: grantee);
        Assert.Equal(201, ownProposal.Status);
        Assert.Equal("awaiting-approval", ownProposal.Json.Text("status"));
    }

    [Fact]
    public async Task the_proposer_cannot_approve_their_own_account_and_a_second_person_can()
    {
        var organisation = await host.RegisterOrganisation(Unique("Four eyes"));
        var account = await Propose(organisation, Account(), user: "approver");

        var own = await Decide(organisation, account, "approve", "approver");
        Assert.Equal(422, own.Status);
        Assert.Equal("same-person-approval", own.Code);
        Assert.Equal("bank-account", own.Json.Text("rule"));
        Assert.Equal("proposed", (await AccountView(organisation, account)).Text("status"));

        var other = await Decide(organisation, account, "approve", "approver2");
        Assert.Equal(201, other.Status);
        Assert.Equal("approved", (await AccountView(organisation, account)).Text("status"));
    }

    [Fact]
    public async Task an_auditor_cannot_propose_an_account()
    {
        var organisation = await host.RegisterOrganisation(Unique("Audited"));

        var reply = await host.Post($"/api/organisations/{organisation}/bank-accounts", Account(), user: "auditor");

        Assert.Equal(403, reply.Status);
        Assert.Single((await host.Get($"/api/organisations/{organisation}")).Json["bankAccounts"]!.AsArray());
    }

    [Fact]
    public async Task a_malformed_iban_or_bic_is_refused_and_nothing_is_recorded()
    {
        var organisation = await host.RegisterOrganisation(Unique("Typo"));

        var iban = await host.Post($"/api/organisations/{organisation}/bank-accounts", Account("KZ86 125K ZT50 0410 0101"));
        var bic = await host.Post($"/api/organisations/{organisation}/bank-accounts", new
        {
            holder = "x", accountNumber = "1280016012345678", bankName = "KICB", bankCountry = "KG", currency = "EUR", swift = "KICB22", reason = "x",
        });

        Assert.Equal("invalid-iban", iban.Code);
        Assert.Equal("invalid-bic", bic.Code);
        Assert.Single((await host.Get($"/api/organisations/{organisation}")).Json["bankAccounts"]!.AsArray());
    }

    [Fact]
    public async Task a_payment_goes_only_to_an_approved_active_account_of_the_grants_organisation()
    {
        var name = Unique("Payee");
        var grant = await _ledger.GrantOf(50_000m, name);
        var organisation = await host.OrganisationNamed(name);
        var approved = Guid.Parse((await host.Get($"/api/organisations/{organisation}")).Json["bankAccounts"]![0]!.Text("id"));
        var proposed = await Propose(organisation, Account());
        var foreign = await host.RegisterOrganisation(Unique("Foreign"));
        var foreignAccount = Guid.Parse((await host.Get($"/api/organisations/{foreign}")).Json["bankAccounts"]![0]!.Text("id"));

        var toProposed = await Pay(grant, proposed);
        var toForeign = await Pay(grant, foreignAccount);
        var defaulted = await Pay(grant, null);
        Assert.Equal("bank-account-not-approved", toProposed.Code);
        Assert.Equal("bank-account-not-approved", toForeign.Code);
        Assert.Equal(201, defaulted.Status);
        Assert.Equal(approved.ToString(), (await _ledger.Grant(grant))["disbursements"]![0]!.Text("bankAccountId"));

        Assert.Equal(201, (await Decide(organisation, proposed, "approve")).Status);
        Assert.Equal("bank-account-required", (await Pay(grant, null)).Code);
        Assert.Equal(201, (await Pay(grant, proposed)).Status);

        Assert.Equal(201, (await Decide(organisation, approved, "retire", "finance", "account closed")).Status);
        Assert.Equal("bank-account-not-approved", (await Pay(grant, approved)).Code);
        Assert.Equal(201, (await Pay(grant, null)).Status);
        Assert.Equal(201, (await Decide(organisation, proposed, "retire", "finance", "account closed")).Status);
        Assert.Equal("no-approved-bank-account", (await Pay(grant, null)).Code);
        Assert.Equal(300m, (await _ledger.Grant(grant)).Decimal("disbursed"));
    }

    [Fact]
    public async Task an_approved_change_replaces_the_old_account_and_the_grantee_hears_of_both_steps()
    {
        var name = Unique("Changed bank");
        var grant = await _ledger.GrantOf(50_000m, name);
        var organisation = await host.OrganisationNamed(name);
        var old = Guid.Parse((await host.Get($"/api/organisations/{organisation}")).Json["bankAccounts"]![0]!.Text("id"));
        var grantee = await host.GranteeUser(name);

        var change = await Propose(organisation, Account(replaces: old, reason: "the grantee changed banks"));
        Assert.Equal(201, (await Pay(grant, old)).Status); // the old account stays payable until a second person approves
        Assert.Equal(201, (await Decide(organisation, change, "approve")).Status);

        Assert.Equal("retired", (await AccountView(organisation, old)).Text("status"));
        Assert.Equal("bank-account-not-approved", (await Pay(grant, old)).Code);
        var feed = (await host.Get("/api/notifications", grantee)).Json.AsArray().Select(n => n!.Text("kind")).ToList();
        Assert.Contains("bank-account-proposed", feed);
        Assert.Contains("bank-account-approved", feed);
    }

    [Fact]
    public async Task account_numbers_are_masked_for_auditors_and_grantees_but_not_for_finance()
    {
        var name = Unique("Masked");
        var organisation = await host.OrganisationNamed(name);
        var grantee = await host.GranteeUser(name);

        var finance = (await host.Get($"/api/organisations/{organisation}", "finance")).Json["bankAccounts"]![0]!;
        var auditor = (await host.Get($"/api/organisations/{organisation}", "auditor")).Json["bankAccounts"]![0]!;
        var own = (await host.Get($"/api/organisations/{organisation}", grantee)).Json["bankAccounts"]![0]!;

        Assert.Equal("1280016012345678", finance.Text("accountNumber"));
        Assert.Equal("•••• 5678", auditor.Text("accountNumber"));
        Assert.Equal("•••• 5678", own.Text("accountNumber"));
        Assert.DoesNotContain("12800160", (await host.Get("/api/organisations", "auditor")).Json.ToJsonString());
    }

    [Fact]
    public async Task two_organisations_with_the_same_short_name_see_only_their_own_grants()
    {
        var name = Unique("Twin");
        var (first, second) = (await host.RegisterOrganisation(name), await host.RegisterOrganisation(name));
        var programme = await _ledger.OpenProgramme();
        var firstGrant = (await _ledger.TryAwardTo(programme, first, 1_000m)).Id;
        var secondGrant = (await _ledger.TryAwardTo(programme, second, 2_000m)).Id;
        var (firstUser, secondUser) = (await host.GranteeUserOf(first), await host.GranteeUserOf(second));

        var firstSees = (await host.Get("/api/grants", firstUser)).Json.AsArray().Select(g => g!.Text("id")).ToList();
        var secondSees = (await host.Get("/api/grants", secondUser)).Json.AsArray().Select(g => g!.Text("id")).ToList();

        Assert.Equal([firstGrant.ToString()], firstSees);
        Assert.Equal([secondGrant.ToString()], secondSees);
        Assert.Equal(404, (await host.Get($"/api/grants/{secondGrant}", firstUser)).Status);
        Assert.Equal(name, (await _ledger.Grant(firstGrant)).Text("grantee"));
    }

    [Fact]
    public async Task an_award_to_an_organisation_that_does_not_exist_is_refused()
    {
        var programme = await _ledger.OpenProgramme();

        var reply = await _ledger.TryAwardTo(programme, Guid.NewGuid(), 1_000m);

        Assert.Equal(422, reply.Status);
        Assert.Equal("unknown-organisation", reply.Code);
        Assert.Equal(220_000m, (await _ledger.Programme(programme)).Decimal("uncommitted"));
    }

    [Fact]
    public async Task changing_details_needs_a_reason_and_keeps_the_accounts()
    {
        var organisation = await host.RegisterOrganisation(Unique("Renamed"));

        var noReason = await host.Send(HttpMethod.Put, $"/api/organisations/{organisation}",
            """{"legalName":"Renamed PF","shortName":"Renamed","countries":["KG","TJ"]}""");
        var changed = await host.Send(HttpMethod.Put, $"/api/organisations/{organisation}",
            """{"legalName":"Renamed PF","shortName":"Renamed","countries":["KG","TJ"],"iatiIdentifier":"XI-GRANTLEDGER-TEST-1","iatiType":"22","reason":"registered in Tajikistan too"}""");

        Assert.Equal(400, noReason.Status);
        Assert.Equal(200, changed.Status);
        var view = (await host.Get($"/api/organisations/{organisation}")).Json;
        Assert.Equal("XI-GRANTLEDGER-TEST-1", view.Text("iatiIdentifier"));
        Assert.Equal(2, view["countries"]!.AsArray().Count);
        Assert.Single(view["bankAccounts"]!.AsArray());
    }
}
