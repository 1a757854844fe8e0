using System.Text;

namespace GrantLedger.Api.Tests;

/// <summary>
/// Every endpoint against every kind of user, including a grantee looking at another organisation's grant.
/// Allow: the request got past authorisation (whatever the business answer); Forbid: 403; Hide: 404 (another
/// grantee's grant does not exist for them); Anonymous callers always get 401.
/// </summary>
[Collection(LedgerCollection.Name)]
public class RoleMatrixTests(LedgerHost host) : FromStartOfTime(host.Clock)
{
    public enum Expect
    {
        Allow,
        Forbid,
        Hide,
    }

    public static readonly string[] Users = ["finance", "approver", "auditor", "admin", "grantee-own", "grantee-other", "anonymous"];

    /// <summary>Endpoint, then the expectation for finance, approver, auditor, admin, own grantee, other grantee.</summary>
    private static readonly (string Name, Expect[] Expected)[] Endpoints =
    [
        ("GET /api/programmes", [Expect.Allow, Expect.Allow, Expect.Allow, Expect.Forbid, Expect.Forbid, Expect.Forbid]),
        ("GET /api/programmes/{p}", [Expect.Allow, Expect.Allow, Expect.Allow, Expect.Forbid, Expect.Forbid, Expect.Forbid]),
        ("POST /api/programmes", [Expect.Allow, Expect.Allow, Expect.Forbid, Expect.Forbid, Expect.Forbid, Expect.Forbid]),
        ("POST /api/programmes/{p}/grants", [Expect.Allow, Expect.Allow, Expect.Forbid, Expect.Forbid, Expect.Forbid, Expect.Forbid]),
        ("POST /api/programmes/{p}/approval-rules", [Expect.Allow, Expect.Allow, Expect.Forbid, Expect.Forbid, Expect.Forbid, Expect.Forbid]),
        ("POST /api/programmes/{p}/approval-rules/{rc}/approval", [Expect.Forbid, Expect.Allow, Expect.Forbid, Expect.Forbid, Expect.Forbid, Expect.Forbid]),
        ("POST /api/programmes/{p}/approval-rules/{rc}/rejection", [Expect.Forbid, Expect.Allow, Expect.Forbid, Expect.Forbid, Expect.Forbid, Expect.Forbid]),
        ("GET /api/programmes/{p}/periods", [Expect.Allow, Expect.Allow, Expect.Allow, Expect.Forbid, Expect.Forbid, Expect.Forbid]),
        ("POST /api/programmes/{p}/periods/2020-04/close", [Expect.Allow, Expect.Allow, Expect.Forbid, Expect.Forbid, Expect.Forbid, Expect.Forbid]),
        ("POST /api/programmes/{p}/periods/2020-04/reopen", [Expect.Allow, Expect.Allow, Expect.Forbid, Expect.Forbid, Expect.Forbid, Expect.Forbid]),
        ("POST /api/programmes/{p}/periods/reopenings/{rc}/approval", [Expect.Forbid, Expect.Allow, Expect.Forbid, Expect.Forbid, Expect.Forbid, Expect.Forbid]),
        ("POST /api/programmes/{p}/periods/reopenings/{rc}/rejection", [Expect.Forbid, Expect.Allow, Expect.Forbid, Expect.Forbid, Expect.Forbid, Expect.Forbid]),
        ("POST /api/grants/{g}/disbursements/{d}/return", [Expect.Allow, Expect.Allow, Expect.Forbid, Expect.Forbid, Expect.Forbid, Expect.Forbid]),
        ("POST /api/grants/{g}/award/approval", [Expect.Forbid, Expect.Allow, Expect.Forbid, Expect.Forbid, Expect.Forbid, Expect.Forbid]),
        ("POST /api/grants/{g}/award/rejection", [Expect.Forbid, Expect.Allow, Expect.Forbid, Expect.Forbid, Expect.Forbid, Expect.Forbid]),
        ("POST /api/grants/{g}/disbursements/{d}/reversal/approval", [Expect.Forbid, Expect.Allow, Expect.Forbid, Expect.Forbid, Expect.Forbid, Expect.Forbid]),
        ("POST /api/grants/{g}/disbursements/{d}/reversal/rejection", [Expect.Forbid, Expect.Allow, Expect.Forbid, Expect.Forbid, Expect.Forbid, Expect.Forbid]),
        ("GET /api/grants", [Expect.Allow, Expect.Allow, Expect.Allow, Expect.Forbid, Expect.Allow, Expect.Allow]),
        ("GET /api/grants/{g}", [Expect.Allow, Expect.Allow, Expect.Allow, Expect.Forbid, Expect.Allow, Expect.Hide]),
        ("GET /api/grants/{g}/disbursements/{d}", [Expect.Allow, Expect.Allow, Expect.Allow, Expect.Forbid, Expect.Allow, Expect.Hide]),
        ("POST /api/grants/{g}/disbursements", [Expect.Allow, Expect.Allow, Expect.Forbid, Expect.Forbid, Expect.Forbid, Expect.Forbid]),
        ("POST /api/grants/{g}/disbursements/{d}/reversal", [Expect.Allow, Expect.Allow, Expect.Forbid, Expect.Forbid, Expect.Forbid, Expect.Forbid]),
        ("POST /api/grants/{g}/disbursements/{pending}/approval", [Expect.Forbid, Expect.Allow, Expect.Forbid, Expect.Forbid, Expect.Forbid, Expect.Forbid]),
        ("POST /api/grants/{g}/disbursements/{pending}/rejection", [Expect.Forbid, Expect.Allow, Expect.Forbid, Expect.Forbid, Expect.Forbid, Expect.Forbid]),
        ("POST /api/grants/{g}/tranches", [Expect.Allow, Expect.Allow, Expect.Forbid, Expect.Forbid, Expect.Forbid, Expect.Forbid]),
        ("PUT /api/grants/{g}/tranches", [Expect.Allow, Expect.Allow, Expect.Forbid, Expect.Forbid, Expect.Forbid, Expect.Forbid]),
        ("POST /api/grants/{g}/milestones", [Expect.Allow, Expect.Allow, Expect.Forbid, Expect.Forbid, Expect.Forbid, Expect.Forbid]),
        ("GET /api/grants/{g}/milestones", [Expect.Allow, Expect.Allow, Expect.Allow, Expect.Forbid, Expect.Allow, Expect.Hide]),
        ("GET /api/grants/{g}/milestones/{m}", [Expect.Allow, Expect.Allow, Expect.Allow, Expect.Forbid, Expect.Allow, Expect.Hide]),
        ("POST /api/grants/{g}/milestones/{m}/submission", [Expect.Forbid, Expect.Forbid, Expect.Forbid, Expect.Forbid, Expect.Allow, Expect.Hide]),
        ("POST /api/grants/{g}/milestones/{m}/confirmation", [Expect.Allow, Expect.Allow, Expect.Forbid, Expect.Forbid, Expect.Forbid, Expect.Forbid]),
        ("POST /api/grants/{g}/milestones/{m}/rejection", [Expect.Allow, Expect.Allow, Expect.Forbid, Expect.Forbid, Expect.Forbid, Expect.Forbid]),
        ("GET /api/grants/{g}/milestones/{m}/files/{f}", [Expect.Allow, Expect.Allow, Expect.Allow, Expect.Forbid, Expect.Allow, Expect.Hide]),
        ("POST /api/grants/{g}/payment-requests", [Expect.Forbid, Expect.Forbid, Expect.Forbid, Expect.Forbid, Expect.Allow, Expect.Hide]),
        ("POST /api/grants/{g}/payment-requests/{pr}/decline", [Expect.Allow, Expect.Allow, Expect.Forbid, Expect.Forbid, Expect.Forbid, Expect.Forbid]),
        ("GET /api/payment-requests", [Expect.Allow, Expect.Allow, Expect.Allow, Expect.Forbid, Expect.Allow, Expect.Allow]),
        ("GET /api/grants/{g}/payment-requests/{pr}/files/{pf}", [Expect.Allow, Expect.Allow, Expect.Allow, Expect.Forbid, Expect.Allow, Expect.Hide]),
        ("GET /api/milestones", [Expect.Allow, Expect.Allow, Expect.Allow, Expect.Forbid, Expect.Allow, Expect.Allow]),
        ("GET /api/notifications", [Expect.Allow, Expect.Allow, Expect.Allow, Expect.Forbid, Expect.Allow, Expect.Allow]),
        ("GET /api/audit", [Expect.Allow, Expect.Allow, Expect.Allow, Expect.Forbid, Expect.Forbid, Expect.Forbid]),
        ("GET /api/audit/verification", [Expect.Allow, Expect.Allow, Expect.Allow, Expect.Forbid, Expect.Forbid, Expect.Forbid]),
        ("GET /api/audit/public-key", [Expect.Allow, Expect.Allow, Expect.Allow, Expect.Forbid, Expect.Forbid, Expect.Forbid]),
        ("GET /api/audit/checkpoints", [Expect.Allow, Expect.Allow, Expect.Allow, Expect.Forbid, Expect.Forbid, Expect.Forbid]),
        ("GET /api/admin/reconciliation", [Expect.Allow, Expect.Allow, Expect.Allow, Expect.Forbid, Expect.Forbid, Expect.Forbid]),
        ("GET /api/users", [Expect.Forbid, Expect.Forbid, Expect.Forbid, Expect.Allow, Expect.Forbid, Expect.Forbid]),
        ("POST /api/users", [Expect.Forbid, Expect.Forbid, Expect.Forbid, Expect.Allow, Expect.Forbid, Expect.Forbid]),
        ("GET /api/me", [Expect.Allow, Expect.Allow, Expect.Allow, Expect.Allow, Expect.Allow, Expect.Allow]),
        ("GET /api/me/preferences", [Expect.Allow, Expect.Allow, Expect.Allow, Expect.Allow, Expect.Allow, Expect.Allow]),
        ("PUT /api/me/preferences", [Expect.Allow, Expect.Allow, Expect.Allow, Expect.Allow, Expect.Allow, Expect.Allow]),
        ("GET /api/mail/deliveries", [Expect.Forbid, Expect.Forbid, Expect.Forbid, Expect.Allow, Expect.Forbid, Expect.Forbid]),
        ("POST /api/users/{u}/disable", [Expect.Forbid, Expect.Forbid, Expect.Forbid, Expect.Allow, Expect.Forbid, Expect.Forbid]),
        ("POST /api/users/{u}/enable", [Expect.Forbid, Expect.Forbid, Expect.Forbid, Expect.Allow, Expect.Forbid, Expect.Forbid]),
        ("PUT /api/users/{u}/roles", [Expect.Forbid, Expect.Forbid, Expect.Forbid, Expect.Allow, Expect.Forbid, Expect.Forbid]),
        ("POST /api/users/{u}/password-reset", [Expect.Forbid, Expect.Forbid, Expect.Forbid, Expect.Allow, Expect.Forbid, Expect.Forbid]),
        ("GET /api/users/{u}/history", [Expect.Forbid, Expect.Forbid, Expect.Allow, Expect.Allow, Expect.Forbid, Expect.Forbid]),
        ("GET /api/security/log", [Expect.Forbid, Expect.Forbid, Expect.Allow, Expect.Allow, Expect.Forbid, Expect.Forbid]),
        ("GET /api/fx-rates", [Expect.Allow, Expect.Allow, Expect.Allow, Expect.Forbid, Expect.Allow, Expect.Allow]),
        ("PUT /api/fx-rates", [Expect.Allow, Expect.Allow, Expect.Forbid, Expect.Forbid, Expect.Forbid, Expect.Forbid]),
        ("PUT /api/grants/{g}/budget", [Expect.Allow, Expect.Allow, Expect.Forbid, Expect.Forbid, Expect.Forbid, Expect.Forbid]),
        ("GET /api/grants/{g}/budget", [Expect.Allow, Expect.Allow, Expect.Allow, Expect.Forbid, Expect.Allow, Expect.Hide]),
        ("POST /api/grants/{g}/budget/revisions", [Expect.Allow, Expect.Allow, Expect.Forbid, Expect.Forbid, Expect.Forbid, Expect.Forbid]),
        ("GET /api/programmes/{p}/budget", [Expect.Allow, Expect.Allow, Expect.Allow, Expect.Forbid, Expect.Forbid, Expect.Forbid]),
        ("POST /api/grants/{g}/amendments", [Expect.Allow, Expect.Allow, Expect.Forbid, Expect.Forbid, Expect.Forbid, Expect.Forbid]),
        ("POST /api/grants/{g}/amendments/{a}/approval", [Expect.Forbid, Expect.Allow, Expect.Forbid, Expect.Forbid, Expect.Forbid, Expect.Forbid]),
        ("POST /api/grants/{g}/amendments/{a}/rejection", [Expect.Forbid, Expect.Allow, Expect.Forbid, Expect.Forbid, Expect.Forbid, Expect.Forbid]),
        ("POST /api/grants/{g}/expenditure-reports", [Expect.Forbid, Expect.Forbid, Expect.Forbid, Expect.Forbid, Expect.Allow, Expect.Hide]),
        ("GET /api/grants/{g}/expenditure-reports", [Expect.Allow, Expect.Allow, Expect.Allow, Expect.Forbid, Expect.Allow, Expect.Hide]),
        ("POST /api/grants/{g}/expenditure-reports/{r}/review", [Expect.Allow, Expect.Allow, Expect.Forbid, Expect.Forbid, Expect.Forbid, Expect.Forbid]),
        ("GET /api/grants/{g}/expenditure-reports/{r}/entries/{e}/file", [Expect.Allow, Expect.Allow, Expect.Allow, Expect.Forbid, Expect.Allow, Expect.Hide]),
        ("POST /api/grants/{g}/disbursements/{d}/receipt", [Expect.Forbid, Expect.Forbid, Expect.Forbid, Expect.Forbid, Expect.Allow, Expect.Hide]),
        ("POST /api/reports", [Expect.Allow, Expect.Allow, Expect.Allow, Expect.Forbid, Expect.Allow, Expect.Hide]),
        ("GET /api/reports", [Expect.Allow, Expect.Allow, Expect.Allow, Expect.Forbid, Expect.Allow, Expect.Allow]),
        ("GET /api/reports/{report}", [Expect.Allow, Expect.Allow, Expect.Allow, Expect.Forbid, Expect.Allow, Expect.Hide]),
        ("GET /api/reports/{report}/pdf", [Expect.Allow, Expect.Allow, Expect.Allow, Expect.Forbid, Expect.Allow, Expect.Hide]),
        ("POST /api/reports/verification", [Expect.Allow, Expect.Allow, Expect.Allow, Expect.Forbid, Expect.Allow, Expect.Allow]),
        ("GET /api/exports/ledger-entries.csv?grantId={g}", [Expect.Allow, Expect.Allow, Expect.Allow, Expect.Forbid, Expect.Allow, Expect.Hide]),
        ("GET /api/exports/expenditure.csv?grantId={g}", [Expect.Allow, Expect.Allow, Expect.Allow, Expect.Forbid, Expect.Allow, Expect.Hide]),
        ("GET /api/exports/budget-vs-actual.csv?grantId={g}", [Expect.Allow, Expect.Allow, Expect.Allow, Expect.Forbid, Expect.Allow, Expect.Hide]),
        ("GET /api/exports/ledger-entries.csv?programmeId={p}", [Expect.Allow, Expect.Allow, Expect.Allow, Expect.Forbid, Expect.Forbid, Expect.Forbid]),
        ("GET /api/exports/audit-trail.csv", [Expect.Allow, Expect.Allow, Expect.Allow, Expect.Forbid, Expect.Forbid, Expect.Forbid]),
        ("GET /api/exports/journal.csv?programmeId={p}", [Expect.Allow, Expect.Allow, Expect.Allow, Expect.Forbid, Expect.Forbid, Expect.Forbid]),
        ("GET /api/exports/journal.csv?grantId={g}", [Expect.Allow, Expect.Allow, Expect.Allow, Expect.Forbid, Expect.Forbid, Expect.Forbid]),
        ("GET /api/exports/iati.xml?programmeId={p}", [Expect.Allow, Expect.Allow, Expect.Allow, Expect.Forbid, Expect.Forbid, Expect.Forbid]),
        ("GET /api/organisations", [Expect.Allow, Expect.Allow, Expect.Allow, Expect.Forbid, Expect.Allow, Expect.Allow]),
        ("GET /api/organisations/{o}", [Expect.Allow, Expect.Allow, Expect.Allow, Expect.Forbid, Expect.Allow, Expect.Hide]),
        ("POST /api/organisations", [Expect.Allow, Expect.Allow, Expect.Forbid, Expect.Forbid, Expect.Forbid, Expect.Forbid]),
        ("PUT /api/organisations/{o}", [Expect.Allow, Expect.Allow, Expect.Forbid, Expect.Forbid, Expect.Forbid, Expect.Forbid]),
        ("POST /api/organisations/{o}/bank-accounts", [Expect.Allow, Expect.Allow, Expect.Forbid, Expect.Forbid, Expect.Allow, Expect.Hide]),
        ("POST /api/organisations/{o}/bank-accounts/{acc}/approve", [Expect.Forbid, Expect.Allow, Expect.Forbid, Expect.Forbid, Expect.Forbid, Expect.Forbid]),
        ("POST /api/organisations/{o}/bank-accounts/{acc}/reject", [Expect.Forbid, Expect.Allow, Expect.Forbid, Expect.Forbid, Expect.Forbid, Expect.Forbid]),
        ("POST /api/organisations/{o}/bank-accounts/{live}/retire", [Expect.Allow, Expect.Allow, Expect.Forbid, Expect.Forbid, Expect.Forbid, Expect.Forbid]),
    ];

    public static TheoryData<string, string> Cells()
    {
        var data = new TheoryData<string, string>();
        foreach (var (name, _) in Endpoints)
        {
            foreach (var user in Users)
            {
                data.Add(name, user);
            }
        }

        return data;
    }

    /// <summary>The ids an endpoint and its body name ({p}, {g}, ...); <see cref="Guid.Empty"/> for what a cell does not need.</summary>
    private sealed record Scene(Guid Programme, Guid Grant, Guid Disbursement, Guid Pending, Guid Milestone, Guid File, Guid Amendment,
        Guid Report, Guid Entry, Guid GeneratedReport, Guid RuleChange = default, Guid User = default, Guid PaymentRequest = default,
        Guid PaymentRequestFile = default, Guid Organisation = default, Guid Account = default, Guid Live = default)
    {
        public string Fill(string template) => template
            .Replace("{o}", Organisation.ToString()).Replace("{acc}", Account.ToString()).Replace("{live}", Live.ToString())
            .Replace("{p}", Programme.ToString()).Replace("{g}", Grant.ToString()).Replace("{d}", Disbursement.ToString())
            .Replace("{pending}", Pending.ToString()).Replace("{m}", Milestone.ToString()).Replace("{f}", File.ToString())
            .Replace("{a}", Amendment.ToString()).Replace("{r}", Report.ToString()).Replace("{e}", Entry.ToString())
            .Replace("{report}", GeneratedReport.ToString()).Replace("{rc}", RuleChange.ToString()).Replace("{u}", User.ToString())
            .Replace("{pr}", PaymentRequest.ToString()).Replace("{pf}", PaymentRequestFile.ToString());
    }

    /// <summary>Every scene's grant belongs to the own grantee; the other grantee is bound to an organisation without it.</summary>
    private static readonly string OwnOrganisation = "Matrix Own Org " + Guid.NewGuid().ToString("N")[..6];

    private static readonly string OtherOrganisation = "Matrix Other Org " + Guid.NewGuid().ToString("N")[..6];

    private const string EveryPlaceholder = "{p} {g} {d} {pending} {m} {f} {a} {r} {e} {report} {rc} {u} {pr} {pf} {o}";

    /// <summary>Built by the first read cell and only ever read: no GET changes anything.</summary>
    private static Task<Scene>? _readScene;

    private static readonly Lock ReadSceneLock = new();

    private Task<Scene> ReadScene()
    {
        lock (ReadSceneLock)
        {
            return _readScene ??= Build(EveryPlaceholder);
        }
    }

    /// <summary>
    /// A programme and a grant of their own, with what the template names: a cell that approves, rejects, reverses,
    /// confirms or reviews changes only what it built, so no cell sees what another one did.
    /// </summary>
    private async Task<Scene> Build(string template)
    {
        var scene = await BuildGrants(template);
        if (!new[] { "{o}", "{acc}", "{live}" }.Any(template.Contains))
        {
            return scene;
        }

        // With a grant (the read scene): the grant's organisation. Otherwise an organisation of the cell's own (one approved
        // account), so retiring or approving changes nobody else's.
        var organisation = scene.Grant != Guid.Empty
            ? await host.OrganisationNamed(OwnOrganisation)
            : await host.RegisterOrganisation("Matrix Org " + Guid.NewGuid().ToString("N")[..6]);
        var live = Guid.Parse((await host.Get($"/api/organisations/{organisation}")).Json["bankAccounts"]![0]!.Text("id"));
        var account = Guid.Empty;
        if (template.Contains("{acc}"))
        {
            var proposed = await host.Post($"/api/organisations/{organisation}/bank-accounts", new
            {
                holder = "Matrix", accountNumber = "KZ86125KZT5004100100", bankName = "Bank CenterCredit", bankCountry = "KZ", currency = "EUR",
                reason = "matrix",
            });
            Assert.True(proposed.Status == 201, proposed.ToString());
            account = Guid.Parse(proposed.Json.Text("accountId"));
        }

        return scene with { Organisation = organisation, Account = account, Live = live };
    }

    private async Task<Scene> BuildGrants(string template)
    {
        bool Names(params string[] placeholders) => placeholders.Any(template.Contains);
        var none = Guid.Empty;
        if (Names("{u}") && !Names("{p}", "{g}"))
        {
            return new Scene(none, none, none, none, none, none, none, none, none, none, User: await MatrixUser());
        }

                if (!Names("{p}", "{g}", "{d}", "{pending}", "{m}", "{f}", "{a}", "{r}", "{e}", "{report}", "{rc}"))
        {
            return new Scene(none, none, none, none, none, none, none, none, none, none);
        }

        var ledger = new Ledger(host);
        var programme = await ledger.OpenProgramme(approvalThreshold: 10_000m);
        var ruleChange = none;
        if (Names("{rc}") && template.Contains("/periods/reopenings/", StringComparison.Ordinal))
        {
            // {rc} names a request to reopen a month here: the month closed and a reopening asked for, by the scene's finance user.
            var closed = await host.Post($"/api/programmes/{programme}/periods/2020-04/close", new { });
            Assert.True(closed.Status == 201, closed.ToString());
            var asked = await host.Post($"/api/programmes/{programme}/periods/2020-04/reopen", new { reason = "Matrix" });
            Assert.True(asked.Status == 201, asked.ToString());
            ruleChange = Guid.Parse(asked.Json.Text("requestId"));
        }
        else if (Names("{rc}"))
        {
            var proposed = await host.Post($"/api/programmes/{programme}/approval-rules", new { approvalThreshold = 20_000m, reason = "Matrix" });
            Assert.True(proposed.Status == 201, proposed.ToString());
            ruleChange = proposed.Id;
        }

        if (!Names("{g}", "{d}", "{pending}", "{m}", "{f}", "{a}", "{r}", "{e}", "{report}"))
        {
            return new Scene(programme, none, none, none, none, none, none, none, none, none, ruleChange);
        }

        var grant = await ledger.Award(programme, 80_000m, OwnOrganisation);
        var ownUser = await host.GranteeUser(OwnOrganisation);
        var disbursement = Names("{d}") ? await ledger.Disburse(grant, 100m) : none;
        var pending = none;
        if (Names("{pending}"))
        {
            var awaiting = await ledger.TryDisburse(grant, 15_000m);
            Assert.True(awaiting.Status == 201 && awaiting.Json.Text("status") == "awaiting-approval", awaiting.ToString());
            pending = awaiting.Id;
        }

        var (milestone, file) = (none, none);
        if (Names("{m}", "{f}"))
        {
            milestone = await ledger.PlanMilestone(grant, "2020-12-31");
            var submitted = await ledger.Submit(grant, milestone, "Evidence", ("report.pdf", Encoding.ASCII.GetBytes("%PDF-1.4\n%%EOF"), "application/pdf"));
            Assert.True(submitted.Status == 201, submitted.ToString());
            file = Guid.Parse(submitted.Json["files"]![0]!.Text("id"));
        }

        var (report, entry) = (none, none);
        if (Names("{r}", "{e}"))
        {
            var budget = await host.Send(HttpMethod.Put, $"/api/grants/{grant}/budget",
                """{"lines":[{"code":"P1","heading":"personnel","description":"Staff","amount":75000},{"code":"I1","heading":"indirect-costs","description":"Overheads","amount":5000}]}""");
            Assert.True(budget.Status == 200, budget.ToString());
            using var form = new MultipartFormDataContent
            {
                { new StringContent("""{"periodStart":"2020-04-01","periodEnd":"2020-12-31","entries":[{"budgetLineCode":"P1","date":"2020-05-01","description":"Staff","amount":100,"currency":"EUR"}]}"""), "report" },
                { new ByteArrayContent(Encoding.ASCII.GetBytes("%PDF-1.4\n%%EOF")), "file-1", "payslip.pdf" },
            };
            var reported = await host.Send(HttpMethod.Post, $"/api/grants/{grant}/expenditure-reports", user: ownUser, content: form);
            Assert.True(reported.Status == 201, reported.ToString());
            report = reported.Id;
            entry = Guid.Parse((await host.Get($"/api/grants/{grant}/expenditure-reports")).Json[0]!["entries"]![0]!.Text("id"));
        }

        var amendment = none;
        if (Names("{a}"))
        {
            var proposed = await host.Post($"/api/grants/{grant}/amendments", new { reason = "Matrix", endDate = "2021-06-30" });
            Assert.True(proposed.Status == 201, proposed.ToString());
            amendment = proposed.Id;
        }

        var (paymentRequest, paymentRequestFile) = (none, none);
        if (Names("{pr}", "{pf}"))
        {
            var asked = await host.Send(HttpMethod.Post, $"/api/grants/{grant}/payment-requests", user: ownUser, content: PaymentRequestForm());
            Assert.True(asked.Status == 201, asked.ToString());
            (paymentRequest, paymentRequestFile) = (asked.Id, Guid.Parse(asked.Json["files"]![0]!.Text("id")));
        }

        var generated = none;
        if (Names("{report}"))
        {
            var asked = await host.Post("/api/reports", new { kind = "grantee-statement", grantId = grant }, user: ownUser);
            Assert.True(asked.Status == 202, asked.ToString());
            generated = asked.Id;
            await LedgerHost.Eventually(() => host.Get($"/api/reports/{generated}"), r => r.Json.Text("status") == "ready");
        }

        return new Scene(programme, grant, disbursement, pending, milestone, file, amendment, report, entry, generated, ruleChange,
            Names("{u}") ? await MatrixUser() : none, paymentRequest, paymentRequestFile);
    }

    /// <summary>A user of its own for each cell that changes one (an auditor, so no rule about administrators applies).</summary>
    private async Task<Guid> MatrixUser()
    {
        var email = $"matrix-{Guid.NewGuid():N}@test.example";
        await host.AddUser(email, ["auditor"], null);
        await using var session = host.Store.QuerySession();
        return (await Marten.QueryableExtensions.SingleAsync(session.Query<GrantLedger.Api.Identity.UserAccount>(), u => u.Email == email)).Id;
    }

    [Theory]
    [MemberData(nameof(Cells))]
    public async Task each_role_can_do_exactly_what_its_policy_allows(string endpoint, string user)
    {
        var (method, path) = (endpoint.Split(' ')[0], endpoint.Split(' ')[1]);
        var template = method == "GET" ? null : BodyFor(method, path);
        // Reads share one scene; a write gets one of its own, so the matrix holds in any order.
        var scene = method == "GET" ? await ReadScene() : await Build(path + " " + template);
        var (url, body) = (scene.Fill(path), template is null ? null : scene.Fill(template));
        var caller = user switch
        {
            "grantee-own" => scene.Organisation != Guid.Empty && scene.Grant == Guid.Empty
                ? await host.GranteeUserOf(scene.Organisation)
                : await host.GranteeUser(OwnOrganisation),
            "grantee-other" => await host.GranteeUser(OtherOrganisation),
            "anonymous" => null,
            _ => user,
        };

        var reply = await host.Send(new HttpMethod(method), url, body, headers: new Dictionary<string, string>
        {
            ["Idempotency-Key"] = Guid.NewGuid().ToString(),
        }, user: caller, content: path.EndsWith("/submission") || path.EndsWith("/verification") ? Evidence()
            : path.EndsWith("/payment-requests") ? PaymentRequestForm() : null);
        Assert.True(reply.Status != 500, $"{endpoint} as {user}: {reply}");

        if (caller is null)
        {
            Assert.True(reply.Status == 401, $"{endpoint} as anonymous: {reply}");
            return;
        }

        var expected = Endpoints.Single(e => e.Name == endpoint).Expected[Array.IndexOf(Users, user)];
        switch (expected)
        {
            case Expect.Forbid:
                Assert.True(reply.Status == 403, $"{endpoint} as {user} should be forbidden: {reply}");
                break;
            case Expect.Hide:
                Assert.True(reply.Status == 404, $"{endpoint} as {user} should not see it: {reply}");
                break;
            default:
                Assert.True(reply.Status is not (401 or 403 or 404), $"{endpoint} as {user} should be allowed: {reply}");
                break;
        }
    }

    private static string? BodyFor(string method, string path) => (method, path) switch
    {
        (_, "/api/reports") => """{"kind":"grantee-statement","grantId":"{g}"}""",
        ("PUT", "/api/fx-rates") => """{"rates":[{"currency":"KGS","month":"2018-01","unitsPerEur":80}]}""",
        ("PUT", "/api/grants/{g}/budget") => """{"lines":[{"heading":"personnel","description":"x","amount":1}]}""",
        ("PUT", "/api/users/{u}/roles") => """{"roles":["finance"],"reason":"matrix"}""",
        ("PUT", "/api/organisations/{o}") => """{"legalName":"Matrix Org","shortName":"Matrix","countries":["KG"],"reason":"matrix"}""",
        ("PUT", _) => """{"reason":"matrix","tranches":[{"amount":1}]}""",
        (_, "/api/grants/{g}/budget/revisions") => """{"reason":"matrix","changes":[{"lineId":"00000000-0000-0000-0000-000000000001","amount":1}]}""",
        (_, "/api/grants/{g}/amendments") => """{"reason":"matrix","endDate":"2021-05-31"}""",
        (_, "/api/grants/{g}/expenditure-reports") => """{"periodStart":"2020-04-01","periodEnd":"2020-12-31","entries":[{"budgetLineCode":"P1","date":"2020-05-01","description":"x","amount":1,"currency":"EUR"}]}""",
        (_, "/api/grants/{g}/expenditure-reports/{r}/review") => """{"entries":[{"id":"00000000-0000-0000-0000-000000000001","accepted":true}]}""",
        (_, "/api/grants/{g}/disbursements/{d}/receipt") => """{"amount":9000,"currency":"KGS"}""",
        (_, "/api/programmes") => $$"""{"code":"M-{{Guid.NewGuid():N}}","name":"Matrix","currency":"EUR","allocation":1000,"windowStart":"2020-04-01","windowEnd":"2021-09-30"}""",
        (_, "/api/programmes/{p}/approval-rules") => """{"approvalThreshold":5000,"reason":"matrix"}""",
        (_, "/api/programmes/{p}/grants") => """{"organisationId":"{o}","countries":["KG"],"title":"Matrix","amount":1,"windowStart":"2020-04-01","windowEnd":"2021-09-30"}""",
        (_, "/api/organisations") => """{"legalName":"Matrix Org","shortName":"Matrix","countries":["KG"]}""",
        (_, "/api/organisations/{o}/bank-accounts") =>
            """{"holder":"Matrix","accountNumber":"1280016012345678","bankName":"KICB","bankCountry":"KG","currency":"EUR","reason":"matrix"}""",
        _ when path.EndsWith("/approve") => "{}",
        _ when path.EndsWith("/reject") || path.EndsWith("/retire") => """{"reason":"matrix"}""",
        (_, "/api/grants/{g}/disbursements") => """{"amount":1,"valueDate":"2020-05-04","reference":"MATRIX"}""",
        (_, "/api/grants/{g}/tranches") => """{"amount":1}""",
        (_, "/api/grants/{g}/milestones") => """{"title":"Matrix","kind":"other","dueDate":"2021-01-31"}""",
        (_, "/api/users") => $$"""{"email":"m-{{Guid.NewGuid():N}}@test.example","displayName":"M","password":"long enough password","roles":["auditor"]}""",
        (_, "/api/users/{u}/password-reset") => """{"oneTimePassword":"matrix one time","reason":"matrix"}""",
        _ when path.StartsWith("/api/users/{u}/", StringComparison.Ordinal) => """{"reason":"matrix"}""",
        _ when path.EndsWith("/reversal") || path.EndsWith("/rejection") || path.EndsWith("/decline") || path.EndsWith("/reopen") => """{"reason":"matrix"}""",
        _ when path.EndsWith("/return") => """{"amount":1,"valueDate":"2020-05-04","bankReason":"matrix"}""",
        _ when path.EndsWith("/close") => "{}",
        _ when path.EndsWith("/confirmation") || path.EndsWith("/approval") => "{}",
        _ => null,
    };

    private static MultipartFormDataContent PaymentRequestForm()
    {
        var form = new MultipartFormDataContent { { new StringContent("100.00"), "amount" }, { new StringContent("Matrix request"), "note" } };
        form.Add(new ByteArrayContent(Encoding.ASCII.GetBytes("%PDF-1.4\n%%EOF")), "files", "matrix.pdf");
        return form;
    }

    private static MultipartFormDataContent Evidence()
    {
        var form = new MultipartFormDataContent { { new StringContent("Matrix evidence"), "note" } };
        form.Add(new ByteArrayContent(Encoding.ASCII.GetBytes("%PDF-1.4\n%%EOF")), "files", "matrix.pdf");
        form.Add(new ByteArrayContent(Encoding.ASCII.GetBytes("%PDF-1.4\n%%EOF")), "file", "matrix.pdf");
        return form;
    }
}
