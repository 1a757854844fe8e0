using GrantLedger.Api.Http;
using GrantLedger.Domain.Organisations;
using Marten;

namespace GrantLedger.Api.Demo;

/// <summary>
/// The demo's grantee organisations, each with one approved bank account (proposed by the demo finance officer,
/// approved by the demo approver). Everything here is fictitious: the IATI identifiers use the made-up prefix
/// <c>XI-GRANTLEDGER-DEMO-</c> (no registration agency issues it), the registration numbers and accounts are invented,
/// and the accounts merely pass the format checks (a Kazakh IBAN with a valid checksum, Kyrgyz 16-digit accounts).
/// </summary>
public static class DemoOrganisations
{
    private sealed record DemoOrganisation(string ShortName, string LegalName, string[] Countries, string Registration, string Iati, string IatiType,
        OrganisationContact Contact, BankAccountDetails Account);

    private static readonly DemoOrganisation[] All =
    [
        new("Snow Leopard Trust", "Snow Leopard Trust Public Foundation (Kyrgyz Republic office)", ["KG"], "KG-DEMO-0190-2011",
            "XI-GRANTLEDGER-DEMO-SLT", "21", new("Aibek Toktogulov", "Country director", "grantee@snowleopard.example", null),
            new("Snow Leopard Trust Public Foundation", "1280016012345678", "KICBKG22", "Kyrgyz Investment and Credit Bank", "KG",
                "Commerzbank AG, Frankfurt am Main", "EUR")),
        new("Snow Leopard Conservancy", "Snow Leopard Conservancy Public Association", ["KG", "TJ"], "KG-DEMO-0431-2014",
            "XI-GRANTLEDGER-DEMO-SLC", "21", new("Nurzat Asanova", "Programme coordinator", "grantee@slconservancy.example", null),
            new("Snow Leopard Conservancy Public Association", "1090820012349876", "DEMIKG22", "Demir Kyrgyz International Bank", "KG",
                null, "EUR")),
        new("Wildlife Without Borders, with the Institute of Zoology of Kazakhstan",
            "Public Association \"Wildlife Without Borders\" with the Institute of Zoology of the Republic of Kazakhstan", ["KZ"], "KZ-DEMO-BIN-990840001234",
            "XI-GRANTLEDGER-DEMO-WWB", "22", new("Dana Sarsenova", "Finance officer", "grantee@wwb.example", null),
            new("Public Association Wildlife Without Borders", "KZ86125KZT5004100100", "KCJBKZKX", "Bank CenterCredit", "KZ", null, "EUR")),
    ];

    public static Guid IdOf(string grantee) => SosCentralAsiaScenario.IdFor($"organisation/{grantee}");
    public static Guid AccountOf(string grantee) => SosCentralAsiaScenario.IdFor($"organisation/{grantee}/account/1");

    /// <summary>
    /// Registers each organisation that is not there yet (a second run adds nothing). A demo seeded before organisations
    /// existed has them already, registered by the start-up migration under the grantee's name: that one gets the
    /// demo's account (so the tour's payments can go somewhere) instead of a second organisation of the same name.
    /// </summary>
    public static async Task SeedAsync(IDocumentStore store, IReadOnlyDictionary<string, string> users, CancellationToken cancellation)
    {
        await using var session = store.LightweightSession();
        session.RecordedBy(new RequestMetadata("demo-seed", "demo-seed"), "SOS Central Asia demo data");
        var (finance, approver) = (SosCentralAsiaScenario.FinanceOf(users), SosCentralAsiaScenario.ApproverOf(users));
        foreach (var o in All)
        {
            var id = IdOf(o.ShortName);
            if (await session.LoadAsync<Organisation>(id, cancellation) is not null)
            {
                continue;
            }

            var named = await session.Query<Organisation>().Where(x => x.ShortName == o.ShortName).ToListAsync(cancellation);
            if (named.Count > 0)
            {
                if (named.Count == 1 && !named[0].Accounts.Any(a => a.Status == BankAccountStatus.Approved))
                {
                    var account = OrganisationDecisions.Propose(named[0], AccountOf(o.ShortName), o.Account, null, "Account named in the grant agreement", finance).Value;
                    var accepted = OrganisationDecisions.Approve(named[0].Evolve(account), account.AccountId, approver).Value;
                    session.Events.Append(named[0].Id, account, accepted);
                }

                continue;
            }

            var registered = OrganisationDecisions.Register(id,
                new OrganisationDetails(o.LegalName, o.ShortName, o.Countries, o.Registration, o.Iati, o.IatiType, [o.Contact]), finance);
            var organisation = Organisation.Start(registered);
            var proposed = OrganisationDecisions.Propose(organisation, AccountOf(o.ShortName), o.Account, null, "Account named in the grant agreement", finance).Value;
            organisation = organisation.Evolve(proposed);
            var approved = OrganisationDecisions.Approve(organisation, proposed.AccountId, approver).Value;
            session.Events.StartStream<Organisation>(id, registered, proposed, approved);
        }

        await session.SaveChangesAsync(cancellation);
    }
}
