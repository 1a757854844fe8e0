using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using GrantLedger.Api.Configuration;
using GrantLedger.Api.Http;
using GrantLedger.Api.Identity;
using GrantLedger.Api.Milestones;
using GrantLedger.Api.Programmes;
using GrantLedger.Domain;
using GrantLedger.Domain.Budgets;
using GrantLedger.Domain.Currencies;
using GrantLedger.Domain.Expenditure;
using GrantLedger.Domain.Grants;
using GrantLedger.Domain.Milestones;
using GrantLedger.Domain.Programmes;
using Marten;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using NodaTime;
using NodaTime.Text;
using Wolverine;
using Wolverine.Marten.Publishing;

namespace GrantLedger.Api.Demo;

public sealed class DemoOptions
{
    public bool Seed { get; set; }
    public string File { get; set; } = "Demo/sos-central-asia.json";

    /// <summary>The demo users' password: <c>GRANTLEDGER_DEMO_PASSWORD</c>, else this default. Demo only.</summary>
    public string Password { get; set; } = Environment.GetEnvironmentVariable("GRANTLEDGER_DEMO_PASSWORD") is { Length: > 0 } p ? p : "snowleopard";
}

public sealed record DemoUser(string Email, string DisplayName, IReadOnlyList<string> Roles, string? Grantee = null);

public sealed record DemoProgramme(
    string Code, string Name, string Currency, decimal Allocation, LocalDate WindowStart, LocalDate WindowEnd, string TimeZone,
    decimal? ApprovalThreshold = null);

public sealed record DemoTranche(decimal Share, string? Gate);

public sealed record DemoMilestone(string Key, string Title, MilestoneKind Kind, int Month);

public sealed record DemoGrant(
    string Key, string Grantee, IReadOnlyList<string> Countries, string Title, decimal Amount,
    IReadOnlyDictionary<string, string>? Milestones = null, string? Rejection = null);

public sealed record DemoDisbursement(string Grant, int? Tranche, decimal Amount, LocalDate ValueDate, string Reference, string? Note, string? Reversal);

/// <summary>A report's rows: line code, date, description, amount, currency, review (accepted/rejected/submitted), reason.</summary>
public sealed record DemoReport(string Grant, LocalDate PeriodStart, LocalDate PeriodEnd, IReadOnlyList<IReadOnlyList<JsonElement>> Entries);

public sealed record DemoReceipt(int Disbursement, decimal Amount, string Currency);

public sealed record DemoLedger(
    DemoProgramme Programme,
    IReadOnlyList<DemoGrant> Grants,
    IReadOnlyList<DemoDisbursement> Disbursements,
    IReadOnlyList<DemoTranche>? Tranches = null,
    IReadOnlyList<DemoMilestone>? Milestones = null,
    IReadOnlyList<DemoUser>? Users = null,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, decimal>>? FxRates = null,
    IReadOnlyDictionary<string, IReadOnlyList<IReadOnlyList<JsonElement>>>? Budgets = null,
    IReadOnlyList<DemoReport>? ExpenditureReports = null,
    IReadOnlyList<DemoReceipt>? Receipts = null);

/// <summary>
/// Seeds the SOS Central Asia demo once, through the same decisions as the API (so the demo obeys every rule), and
/// schedules the milestones' deadline checks in the same transaction: past deadlines become overdue on their own.
/// Ids are derived from the programme code, and the code is unique: a second run adds nothing.
/// </summary>
public sealed class DemoSeeder(IServiceScopeFactory scopes, IOptions<DemoOptions> options, IHostEnvironment environment, ILogger<DemoSeeder> logger)
    : IHostedService
{
    private static readonly RequestMetadata Seed = new("demo-seed", "demo-seed");

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.Seed)
        {
            return;
        }

        var demo = await Read(cancellationToken);
        await using var scope = scopes.CreateAsyncScope();
        var users = await SeedUsersAsync(scope.ServiceProvider, demo.Users ?? [], options.Value.Password, cancellationToken);
        var bus = scope.ServiceProvider.GetRequiredService<IMessageBus>();
        await using var session = scope.ServiceProvider.GetRequiredService<OutboxedSessionFactory>().OpenSession(bus);
        if (await session.LoadAsync<ProgrammeCode>(demo.Programme.Code, cancellationToken) is not null)
        {
            logger.LogInformation("Demo programme {Code} already present; nothing seeded", demo.Programme.Code);
            return;
        }

        var clock = scope.ServiceProvider.GetRequiredService<IClock>();
        var milestoneOptions = scope.ServiceProvider.GetRequiredService<IOptions<MilestoneOptions>>().Value;
        await SeedAsync(session, bus, demo, clock.GetCurrentInstant(), milestoneOptions, users, cancellationToken);
        logger.LogInformation("Seeded demo programme {Code} with {Grants} grants", demo.Programme.Code, demo.Grants.Count);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Adds the demo users that do not exist yet; returns every demo user's id by e-mail.</summary>
    private static async Task<IReadOnlyDictionary<string, string>> SeedUsersAsync(IServiceProvider services, IReadOnlyList<DemoUser> users,
        string password, CancellationToken cancellationToken)
    {
        var hasher = services.GetRequiredService<IPasswordHasher<UserAccount>>();
        await using var session = services.GetRequiredService<IDocumentStore>().LightweightSession();
        var ids = new Dictionary<string, string>();
        foreach (var u in users)
        {
            var existing = await session.Query<UserAccount>().FirstOrDefaultAsync(x => x.Email == UserAccount.Normalise(u.Email), cancellationToken);
            var user = existing ?? await UserAdministration.Create(session, hasher,
                new CreateUserRequest(u.Email, u.DisplayName, password, u.Roles, u.Grantee));
            ids[UserAccount.Normalise(u.Email)] = user!.Id.ToString();
        }

        await session.SaveChangesAsync(cancellationToken);
        return ids;
    }

    private async Task<DemoLedger> Read(CancellationToken cancellationToken)
    {
        var path = Path.IsPathRooted(options.Value.File)
            ? options.Value.File
            : Path.Combine(AppContext.BaseDirectory, options.Value.File);
        if (!System.IO.File.Exists(path))
        {
            path = Path.Combine(environment.ContentRootPath, options.Value.File);
        }

        await using var file = System.IO.File.OpenRead(path);
        return await JsonSerializer.DeserializeAsync<DemoLedger>(file, new JsonSerializerOptions().ConfigureGrantLedger(), cancellationToken)
            ?? throw new InvalidOperationException($"The demo file {path} is empty.");
    }

    private static async Task SeedAsync(IDocumentSession session, IMessageBus bus, DemoLedger demo, Instant now,
        MilestoneOptions milestoneOptions, IReadOnlyDictionary<string, string> users, CancellationToken cancellationToken)
    {
        var p = demo.Programme;
        var programmeId = IdFor(p.Code);
        session.RecordedBy(Seed, "SOS Central Asia demo data");

        var opened = OpenProgrammeDecision.Decide(new OpenProgramme(programmeId, p.Code, p.Name, p.Currency,
            p.Allocation, p.WindowStart, p.WindowEnd, p.TimeZone, p.ApprovalThreshold)).Value;
        session.Insert(new ProgrammeCode(p.Code, programmeId));
        session.Events.StartStream<Programme>(programmeId, opened);
        var programme = Programme.Start(opened);
        var zone = DateTimeZoneProviders.Tzdb[p.TimeZone];

        var grants = new Dictionary<string, Grant>();
        foreach (var g in demo.Grants)
        {
            var shares = demo.Tranches ?? [];
            var award = AwardGrantDecision.Decide(programme, new AwardGrant(IdFor($"{p.Code}/{g.Key}"), g.Grantee,
                g.Countries, g.Title, g.Amount, null, p.WindowStart, p.WindowEnd,
                shares.Select((t, i) => new AddTranche(IdFor($"{p.Code}/{g.Key}/tranche/{i + 1}"), decimal.Round(g.Amount * t.Share, 2), null)).ToList())).Value;
            session.Events.Append(programmeId, award.Commitment);
            var events = new List<object> { award.Award };
            events.AddRange(award.Tranches);
            programme = programme.Evolve(award.Commitment);
            var grant = award.Tranches.Aggregate(Grant.Start(award.Award), (current, t) => current.Evolve(t));

            foreach (var m in demo.Milestones ?? [])
            {
                var gate = shares.Select((t, i) => (t, i)).FirstOrDefault(x => x.t.Gate == m.Key);
                var planned = PlanMilestoneDecision.Decide(grant, new PlanMilestone(IdFor($"{p.Code}/{g.Key}/{m.Key}"),
                    m.Title, m.Kind, p.WindowStart.PlusMonths(m.Month).PlusDays(-1),
                    gate.t is null ? null : grant.Tranches[gate.i].Id), zone).Value;
                grant = Record(grant, events, planned);
                await MilestoneSchedule.ScheduleAsync(bus, planned, now, milestoneOptions);
                grant = Deliver(session, grant, events, planned, g.Milestones?.GetValueOrDefault(m.Key) ?? "planned", g.Rejection, now);
            }

            session.Events.StartStream<Grant>(grant.Id, events);
            grants[g.Key] = grant;
        }

        var rates = SeedRates(session, demo);
        foreach (var g in demo.Grants)
        {
            grants[g.Key] = SeedBudgetAndReports(session, demo, g.Key, grants[g.Key], programme, p.Code);
        }

        // Payments are recorded by the demo finance officer; those above the threshold approved by the demo approver.
        var financeId = users.GetValueOrDefault("finance@ecaro.example", "demo-finance");
        var approverId = users.GetValueOrDefault("approver@ecaro.example", "demo-approver");
        foreach (var (d, index) in demo.Disbursements.Select((d, i) => (d, i)))
        {
            var grant = grants[d.Grant];
            var trancheId = d.Tranche is { } number ? grant.Tranches.Single(t => t.Number == number).Id : (Guid?)null;
            var disbursementId = IdFor($"{p.Code}/disbursement/{index}");
            var paid = RecordDisbursementDecision.Decide(grant, programme.Window, new RecordDisbursement(
                disbursementId, d.Amount, null, d.ValueDate, d.Reference, d.Note, trancheId, null, financeId),
                GranteeHold.None, programme.ApprovalThreshold,
                new ReportedSpend(BudgetVsActual.AcceptedSpend(grant, rates), programme.Rules.SpendThreshold)).Value;
            session.Events.Append(grant.Id, paid.Payment);
            grant = grant.Evolve(paid.Payment);
            if (paid.AwaitsApproval)
            {
                var approved = ApproveDisbursementDecision.Decide(grant, new ApproveDisbursement(disbursementId, approverId)).Value;
                session.Events.Append(grant.Id, approved);
                grant = grant.Evolve(approved);
            }

            if (d.Reversal is { } reason)
            {
                var reversed = ReverseDisbursementDecision.Decide(grant, new ReverseDisbursement(disbursementId, reason)).Value;
                session.Events.Append(grant.Id, reversed);
                grant = grant.Evolve(reversed);
            }

            grants[d.Grant] = grant;
        }

        foreach (var receipt in demo.Receipts ?? [])
        {
            var disbursementId = IdFor($"{p.Code}/disbursement/{receipt.Disbursement}");
            var grant = grants[demo.Disbursements[receipt.Disbursement].Grant];
            var received = new DisbursementReceived(grant.Id, disbursementId, new Money(receipt.Amount, receipt.Currency));
            session.Events.Append(grant.Id, received);
            grants[demo.Disbursements[receipt.Disbursement].Grant] = grant.Evolve(received);
        }

        await session.SaveChangesAsync(cancellationToken);
    }

    private static FxRateTable SeedRates(IDocumentSession session, DemoLedger demo)
    {
        var lines = (demo.FxRates ?? new Dictionary<string, IReadOnlyDictionary<string, decimal>>())
            .SelectMany(c => c.Value.Select(m => new SetFxRate(c.Key, YearMonthPattern.Iso.Parse(m.Key).Value, m.Value, "Demo: illustrative monthly rates")))
            .ToList();
        if (lines.Count == 0)
        {
            return FxRateTable.Empty;
        }

        var events = SetFxRatesDecision.Decide(lines).Value;
        session.Events.Append(FxRateTable.StreamId, events.Cast<object>().ToArray());
        return events.Aggregate(FxRateTable.Empty, (table, e) => table.Evolve(e));
    }

    /// <summary>The grant's budget, then its expenditure reports and their reviews, through the real decisions.</summary>
    private static Grant SeedBudgetAndReports(IDocumentSession session, DemoLedger demo, string key, Grant grant, Programme programme, string code)
    {
        if (demo.Budgets?.GetValueOrDefault(key) is not { } budgetRows)
        {
            return grant;
        }

        var lines = budgetRows.Select(r => new PlannedBudgetLine(IdFor($"{code}/{key}/line/{r[0].GetString()}"), r[0].GetString()!,
            r[1].GetString()!, r[2].GetString()!, r[3].GetDecimal())).ToList();
        var set = SetBudgetDecision.Decide(grant, programme.Rules, new SetBudget(lines)).Value;
        session.Events.Append(grant.Id, set);
        grant = grant.Evolve(set);

        foreach (var (report, index) in (demo.ExpenditureReports ?? []).Where(r => r.Grant == key).Select((r, i) => (r, i)))
        {
            var reportId = IdFor($"{code}/{key}/report/{index}");
            var entryNumber = 0;
            var submitted = SubmitExpenditureReportDecision.Decide(grant, new SubmitExpenditureReport(reportId, report.PeriodStart, report.PeriodEnd,
                report.Entries.Select(e => new ReportedExpense(null, e[0].GetString(), LocalDatePattern.Iso.Parse(e[1].GetString()!).Value,
                    e[2].GetString()!, e[3].GetDecimal(), e[4].GetString()!)).ToList(),
                () => IdFor($"{code}/{key}/report/{index}/entry/{entryNumber++}"))).Value;
            session.Events.Append(grant.Id, submitted);
            grant = grant.Evolve(submitted);

            var reviews = report.Entries.Zip(submitted.Entries)
                .Where(x => x.First[5].GetString() is "accepted" or "rejected" && x.Second.Eligible)
                .Select(x => new EntryReview(x.Second.EntryId, x.First[5].GetString() == "accepted", x.First.Count > 6 ? x.First[6].GetString() : null))
                .ToList();
            if (reviews.Count > 0)
            {
                var reviewed = ReviewExpenditureDecision.Decide(grant, new ReviewExpenditure(reportId, reviews)).Value;
                session.Events.Append(grant.Id, reviewed);
                grant = grant.Evolve(reviewed);
            }
        }

        return grant;
    }

    /// <summary>Walks a planned milestone to the state the demo file asks for, through the real decisions.</summary>
    private static Grant Deliver(IDocumentSession session, Grant grant, List<object> events, MilestonePlanned planned,
        string state, string? rejection, Instant now)
    {
        if (state == "planned")
        {
            return grant;
        }

        var evidence = DemoEvidence(planned.Title);
        var file = new EvidenceFile(IdFor($"{planned.MilestoneId}/evidence"), $"{planned.Kind.ToString().ToLowerInvariant()}-report.pdf",
            "application/pdf", evidence.LongLength, EvidenceStore.Sha256Of(evidence));
        grant = Record(grant, events, SubmitMilestoneDecision.Decide(grant,
            new SubmitMilestone(planned.MilestoneId, $"{planned.Title}, as agreed in the grant agreement.", [file])).Value);
        EvidenceStore.Store(session, grant.Id, planned.MilestoneId, file, evidence);

        return state switch
        {
            "submitted" => grant,
            "confirmed" => Record(grant, events, ConfirmMilestoneDecision.Decide(grant,
                new ConfirmMilestone(planned.MilestoneId, "Reviewed by ECARO finance and programme staff.")).Value),
            "rejected" => RejectMilestoneDecision.Decide(grant,
                    new RejectMilestone(planned.MilestoneId, rejection ?? "Incomplete."), now).Value
                .Aggregate(grant, (g, e) => Record(g, events, e)),
            _ => throw new InvalidOperationException($"Unknown demo milestone state {state}"),
        };
    }

    private static Grant Record(Grant grant, List<object> events, object e)
    {
        events.Add(e);
        return grant.Evolve(e);
    }

    /// <summary>A one-page PDF standing in for the grantee's report.</summary>
    private static byte[] DemoEvidence(string title)
    {
        var text = title.Replace("(", "").Replace(")", "");
        var content = $"BT /F1 14 Tf 72 720 Td ({text} - SOS Central Asia demo evidence) Tj ET";
        var objects = new[]
        {
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
            $"<< /Length {content.Length} >>\nstream\n{content}\nendstream",
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        };
        var pdf = new StringBuilder("%PDF-1.4\n");
        var offsets = new List<int>();
        for (var i = 0; i < objects.Length; i++)
        {
            offsets.Add(pdf.Length);
            pdf.Append($"{i + 1} 0 obj\n{objects[i]}\nendobj\n");
        }

        var xref = pdf.Length;
        pdf.Append($"xref\n0 {objects.Length + 1}\n0000000000 65535 f \n");
        foreach (var offset in offsets)
        {
            pdf.Append($"{offset:D10} 00000 n \n");
        }

        pdf.Append($"trailer\n<< /Size {objects.Length + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n");
        return Encoding.ASCII.GetBytes(pdf.ToString());
    }

    /// <summary>A stable id from a name, so the demo has the same ids on every machine.</summary>
    public static Guid IdFor(string name)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes("grantledger-demo:" + name));
        return new Guid(hash.AsSpan(0, 16));
    }
}
