using System.Security.Claims;
using GrantLedger.Api.Audit;
using GrantLedger.Api.Currencies;
using GrantLedger.Api.Grants;
using GrantLedger.Api.Identity;
using GrantLedger.Api.Reports;
using GrantLedger.Domain.Expenditure;
using GrantLedger.Domain.Grants;
using GrantLedger.Domain.Milestones;
using GrantLedger.Domain.Programmes;
using Marten;
using NodaTime;
using Microsoft.Extensions.Localization;

namespace GrantLedger.Api.Pages;

/// <summary>One thing waiting for the signed-in user, with the page where it is done.</summary>
public sealed record QueueItem(string Text, string Href);

/// <summary>A kind of work, e.g. "Milestone submissions to review"; <paramref name="Counted"/> items add to the count in the navigation.</summary>
public sealed record QueueSection(string Id, string Title, IReadOnlyList<QueueItem> Items, bool Counted = true);

/// <summary>
/// What is waiting for each role, read from the stored Grant and Programme snapshot documents (one bounded query per
/// kind, no event folding), the rate table and the report jobs; the auditor's chain status is the audit page's cheap
/// check from the newest signed checkpoint. Computed once per request: the home page lists it, the navigation counts it.
/// </summary>
public sealed class WorkQueue(IQuerySession session, IClock clock, ChainVerifier verifier, IStringLocalizer<SharedResource> text)
{
    /// <summary>The most grants and programmes one view reads (far above the ledger's size; bounds a view's cost).</summary>
    public const int MaxDocuments = 2000;

    /// <summary>How far ahead a grantee is reminded of a milestone.</summary>
    public const int DueSoonDays = 30;

    private Task<IReadOnlyList<QueueSection>>? _sections;

    public Task<IReadOnlyList<QueueSection>> For(ClaimsPrincipal principal, CancellationToken cancellationToken) =>
        _sections ??= Build(CurrentUser.From(principal), cancellationToken);

    public async Task<int> CountFor(ClaimsPrincipal principal, CancellationToken cancellationToken) =>
        (await For(principal, cancellationToken)).Where(s => s.Counted).Sum(s => s.Items.Count);

    private async Task<IReadOnlyList<QueueSection>> Build(CurrentUser user, CancellationToken cancellationToken)
    {
        var sections = new List<QueueSection>();
        var staff = user.Roles.Contains(Roles.Finance) || user.Roles.Contains(Roles.Approver);
        if (!staff && !user.IsGrantee && !user.Roles.Contains(Roles.Auditor))
        {
            return sections;
        }

        IReadOnlyList<Grant> grants = [];
        if (staff || user.IsGrantee)
        {
            var query = session.Query<Grant>().AsQueryable();
            if (user.IsGrantee)
            {
                var own = user.OrganisationId ?? Guid.Empty; // a grantee bound to no organisation sees nothing
                query = query.Where(g => g.OrganisationId == own);
            }

            grants = (await query.OrderBy(g => g.Grantee).Take(MaxDocuments).ToListAsync(cancellationToken)).ToList();
        }

        if (user.Roles.Contains(Roles.Finance))
        {
            sections.AddRange(Finance(user, grants, await FxRateEndpoints.Load(session), text));
        }

        if (user.Roles.Contains(Roles.Approver))
        {
            var programmes = await session.Query<Programme>().Take(MaxDocuments).ToListAsync(cancellationToken);
            sections.Add(Approver(user, grants, programmes, text));
        }

        if (user.IsGrantee)
        {
            // Payments waiting for the grantee to confirm what arrived, from the payments' documents (ADR 0018).
            var ids = grants.Select(g => g.Id).ToList();
            var unconfirmed = await session.Query<GrantPayment>().Where(p => p.AwaitsReceipt && ids.Contains(p.GrantId))
                .OrderBy(p => p.Number).Take(MaxDocuments).ToListAsync(cancellationToken);
            sections.AddRange(Grantee(grants, unconfirmed));
        }

        if (user.Roles.Contains(Roles.Auditor))
        {
            sections.AddRange(await Auditor(cancellationToken));
        }

        return sections;
    }

    private static IEnumerable<QueueSection> Finance(CurrentUser user, IReadOnlyList<Grant> grants, Domain.Currencies.FxRateTable rates, IStringLocalizer text)
    {
        yield return new("submissions", text["Milestone submissions to review"], grants
            .SelectMany(g => g.Milestones.Where(m => m.Status == MilestoneStatus.Submitted)
                .Select(m => new QueueItem(text["{0}: {1} (due {2})", g.Grantee, m.Title, Ui.Date(m.DueDate)], $"/grants/{g.Id}#milestone-{m.Id}")))
            .ToList());
        yield return new("payment-requests", text["Payment requests to pay or decline"], grants
            .SelectMany(g => g.PaymentRequests.Where(r => r.IsOpen)
                .Select(r => new QueueItem(r.TrancheId is { } t && g.FindTranche(t) is { } tranche
                        ? text["{0}: {1} asked for tranche {2}", g.Grantee, Ui.Eur(r.Amount.Amount), tranche.Number]
                        : text["{0}: {1} asked for", g.Grantee, Ui.Eur(r.Amount.Amount)],
                    $"/grants/{g.Id}#request-{r.Id}")))
            .ToList());
        yield return new("expenditure", text["Expenditure entries to review"], grants
            .SelectMany(g => g.ExpenditureReports
                .Select(r => (Report: r, Waiting: r.Entries.Count(e => e.Status == EntryStatus.Submitted)))
                .Where(x => x.Waiting > 0)
                .Select(x => new QueueItem(text[x.Waiting == 1 ? "{0}: {1} entry reported for {2} to {3}" : "{0}: {1} entries reported for {2} to {3}",
                        g.Grantee, x.Waiting, Ui.Date(x.Report.PeriodStart), Ui.Date(x.Report.PeriodEnd)],
                    $"/grants/{g.Id}/budget")))
            .ToList());
        yield return new("overdue", text["Overdue milestones (the grantee is on hold)"], grants
            .SelectMany(g => g.Milestones.Where(m => m.IsOverdue)
                .Select(m => new QueueItem(text[m.Status == MilestoneStatus.Rejected ? "{0}: {1}, due {2}, sent back" : "{0}: {1}, due {2}", g.Grantee, m.Title, Ui.Date(m.DueDate)], $"/grants/{g.Id}#milestone-{m.Id}")))
            .ToList());
        // An approver's own section lists these already (and lets them act): counted once.
        if (!user.Roles.Contains(Roles.Approver))
        {
            yield return new("proposed", text["Payments and amendments others proposed, awaiting approval"], grants
                .SelectMany(g => g.Disbursements.Where(d => d.IsReserved && d.RecordedBy != user.Id)
                        .Select(d => new QueueItem(text["{0}: payment {1} of {2}", g.Grantee, d.BankReference, Ui.Eur(d.Amount.Amount)], $"/grants/{g.Id}#payment-{d.Id}"))
                    .Concat(g.Amendments.Where(a => a.Status == Domain.Amendments.AmendmentStatus.Proposed && a.Proposal.ProposedBy != user.Id)
                        .Select(a => new QueueItem(text["{0}: amendment \"{1}\"", g.Grantee, a.Proposal.Reason], $"/grants/{g.Id}#amendment-{a.Proposal.AmendmentId}"))))
                .ToList());
        }

        yield return new("rates", text["Exchange rates missing for months with spending"], grants
            .SelectMany(g => g.ExpenditureReports.SelectMany(r => r.Entries))
            .Where(e => e.Status != EntryStatus.Ineligible && e.Entry.Amount.Currency != Domain.Currencies.Currencies.Eur)
            .Select(e => (e.Entry.Amount.Currency, Month: new YearMonth(e.Entry.Date.Year, e.Entry.Date.Month)))
            .Distinct()
            .Where(x => rates.Rate(x.Currency, x.Month) is null)
            .OrderBy(x => x.Month).ThenBy(x => x.Currency)
            .Select(x => new QueueItem(text["{0} for {1}", x.Currency, Ui.Month(x.Month)], "/rates"))
            .ToList());
    }

    /// <summary>What awaits a second pair of eyes; never what this approver asked for.</summary>
    private static QueueSection Approver(CurrentUser user, IReadOnlyList<Grant> grants, IReadOnlyList<Programme> programmes, IStringLocalizer text)
    {
        var me = user.Id;
        var items = new List<QueueItem>();
        items.AddRange(grants.SelectMany(g => g.Disbursements.Where(d => d.IsReserved && d.RecordedBy != me)
            .Select(d => new QueueItem(text["Payment {0} of {1} to {2}", d.BankReference, Ui.Eur(d.Amount.Amount), g.Grantee], "/approvals"))));
        items.AddRange(grants.Where(g => g.AwardState == AwardStatus.AwaitingApproval && g.AwardedBy != me)
            .Select(g => new QueueItem(text["Award of {0} to {1}", Ui.Eur(g.Amount.Amount), g.Grantee], "/approvals")));
        items.AddRange(grants.SelectMany(g => g.Disbursements.Where(d => d.ReversalAwaitsApproval && d.ReversalRequestedBy != me)
            .Select(d => new QueueItem(text["Reversal of payment {0} to {1}", d.BankReference, g.Grantee], "/approvals"))));
        items.AddRange(grants.SelectMany(g => g.Amendments
            .Where(a => a.Status == Domain.Amendments.AmendmentStatus.Proposed && a.Proposal.ProposedBy != me)
            .Select(a => new QueueItem(text["Amendment of {0}'s grant: \"{1}\"", g.Grantee, a.Proposal.Reason], $"/grants/{g.Id}#amendment-{a.Proposal.AmendmentId}"))));
        items.AddRange(programmes.SelectMany(p => p.RuleChanges.Where(c => c.Status == RuleChangeStatus.Proposed && c.ProposedBy != me)
            .Select(c => new QueueItem(text["New approval rules for {0}: \"{1}\"", p.Code, c.Reason], "/approvals"))));
        return new("approvals", text["Waiting for your approval"], items);
    }

    private IEnumerable<QueueSection> Grantee(IReadOnlyList<Grant> grants, IReadOnlyList<GrantPayment> unconfirmed)
    {
        var now = clock.GetCurrentInstant();
        yield return new("due", text["Milestones due soon or overdue"], grants
            .SelectMany(g => g.Milestones
                .Where(m => m.Status == MilestoneStatus.Planned
                    && (m.IsOverdue || m.DueDate <= now.InZone(Zone(g.TimeZone)).Date.PlusDays(DueSoonDays)))
                .OrderBy(m => m.DueDate)
                .Select(m => new QueueItem(text[m.IsOverdue ? "{0}: overdue since {1} ({2})" : "{0}: due {1} ({2})", m.Title, Ui.Date(m.DueDate), g.Title], $"/grants/{g.Id}#milestone-{m.Id}")))
            .ToList());
        yield return new("sent-back", text["Sent back to you"], grants
            .SelectMany(g => g.Milestones.Where(m => m.Status == MilestoneStatus.Rejected)
                    .Select(m => new QueueItem(text[m.IsOverdue ? "{0} (overdue): {1}" : "{0}: {1}", m.Title, m.RejectionReason ?? ""], $"/grants/{g.Id}#milestone-{m.Id}"))
                .Concat(g.ExpenditureReports.SelectMany(r => r.Entries).Where(e => e.Status == EntryStatus.Rejected)
                    .Select(e => new QueueItem(text["Expense \"{0}\" of {1}: {2}", e.Entry.Description, Ui.Date(e.Entry.Date), e.Reason ?? ""], $"/grants/{g.Id}/budget"))))
            .ToList());
        yield return new("receipts", text["Payments received: confirm what arrived"], grants
            .SelectMany(g => unconfirmed.Where(p => p.GrantId == g.Id).Select(p => p.Payment)
                .Select(d => new QueueItem(text["Payment {0} of {1}, value date {2}", d.BankReference, Ui.Eur(d.Amount.Amount), Ui.Date(d.ValueDate)], $"/grants/{g.Id}#payment-{d.Id}")))
            .ToList());
    }

    private async Task<IEnumerable<QueueSection>> Auditor(CancellationToken cancellationToken)
    {
        var tail = await verifier.VerifyTailAsync(cancellationToken);
        var chain = tail.Valid
            ? new QueueSection("chain", text["Audit chain"], [new QueueItem(
                text["Audit chain verified from the newest signed checkpoint ({0} event(s) since it checked)", tail.CheckedEvents], "/audit")], Counted: false)
            : new QueueSection("chain", text["Audit chain"], [new QueueItem(text["Audit chain broken: {0}", tail.Problem ?? ""], "/audit")]);
        var jobs = await session.Query<ReportJob>().OrderByDescending(j => j.RequestedAt).Take(5).ToListAsync(cancellationToken);
        var reports = new QueueSection("reports", text["Latest reports"], jobs.Select(ReportView.From)
            .Select(r => new QueueItem(text["{0}, as of {1}: {2}", Ui.Term("report", r.Kind), Ui.When(r.AsOf, "UTC"), Ui.Term("status", r.Status)], "/reports")).ToList(), Counted: false);

        return [chain, reports];
    }

    private static DateTimeZone Zone(string id) => DateTimeZoneProviders.Tzdb.GetZoneOrNull(id) ?? DateTimeZone.Utc;
}
