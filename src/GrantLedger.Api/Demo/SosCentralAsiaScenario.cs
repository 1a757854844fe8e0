using System.Security.Cryptography;
using System.Text;
using GrantLedger.Api.Http;
using GrantLedger.Api.Milestones;
using GrantLedger.Api.Notifications;
using GrantLedger.Api.Programmes;
using GrantLedger.Domain;
using GrantLedger.Domain.Budgets;
using GrantLedger.Domain.Currencies;
using GrantLedger.Domain.Expenditure;
using GrantLedger.Domain.Grants;
using GrantLedger.Domain.Milestones;
using GrantLedger.Domain.Programmes;
using Marten;
using NodaTime;
using NodaTime.Text;
using Wolverine;

namespace GrantLedger.Api.Demo;

/// <summary>
/// What the demo does, in ledger terms: open the programme; award each grant with its tranche plan and milestones,
/// walking each milestone to the state the file gives; set the FX rates; set each grant's budget and submit and review
/// its expenditure reports; pay (approved above the threshold, reversed where the file says); record the grantees'
/// receipts. Every step goes through the same decisions as the API, so the demo obeys every rule, and everything is
/// saved in one transaction with the milestones' deadline checks. Ids are derived from the names in the file.
/// </summary>
public static class SosCentralAsiaScenario
{
    private static readonly RequestMetadata Seed = new("demo-seed", "demo-seed");

    public static async Task RunAsync(IDocumentSession session, IMessageBus bus, DemoLedger demo, Instant now,
        MilestoneOptions milestoneOptions, IReadOnlyDictionary<string, string> users, CancellationToken cancellationToken)
    {
        session.RecordedBy(Seed, "SOS Central Asia demo data");
        var programme = OpenProgramme(session, demo.Programme);

        var grants = new Dictionary<string, Grant>();
        foreach (var g in demo.Grants)
        {
            (programme, grants[g.Key]) = await AwardAsync(session, bus, demo, g, programme, now, milestoneOptions, users);
        }

        var rates = SetRates(session, demo);
        foreach (var g in demo.Grants)
        {
            grants[g.Key] = SetBudgetAndReports(session, demo, g.Key, grants[g.Key], programme, demo.Programme.Code);
        }

        Pay(session, demo, grants, programme, rates, users, now);
        RecordReceipts(session, demo, grants);
        RequestPayment(session, grants, users, now);
        grants["wwb"] = ReturnedByTheBank(session, demo, grants["wwb"], programme, users);
        programme = CloseFirstMonths(session, programme, users, now);

        await session.SaveChangesAsync(cancellationToken);
    }

    /// <summary>A stable id from a name, so the demo has the same ids on every machine.</summary>
    public static Guid IdFor(string name)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes("grantledger-demo:" + name));
        return new Guid(hash.AsSpan(0, 16));
    }

    private static Programme OpenProgramme(IDocumentSession session, DemoProgramme p)
    {
        var programmeId = IdFor(p.Code);
        var opened = OpenProgrammeDecision.Decide(new OpenProgramme(programmeId, p.Code, p.Name, p.Currency,
            p.Allocation, p.WindowStart, p.WindowEnd, p.TimeZone, p.ApprovalThreshold)).Value;
        session.Insert(new ProgrammeCode(p.Code, programmeId));
        session.Events.StartStream<Programme>(programmeId, opened);
        return Programme.Start(opened);
    }

    /// <summary>The award (committed on the programme), its tranches and milestones, on a new grant stream.</summary>
    private static async Task<(Programme Programme, Grant Grant)> AwardAsync(IDocumentSession session, IMessageBus bus, DemoLedger demo,
        DemoGrant g, Programme programme, Instant now, MilestoneOptions milestoneOptions, IReadOnlyDictionary<string, string> users)
    {
        var p = demo.Programme;
        var zone = DateTimeZoneProviders.Tzdb[p.TimeZone];
        var shares = demo.Tranches ?? [];
        // The grant is bound to its organisation by id (DemoOrganisations registers it first); the name is its short name.
        var award = AwardGrantDecision.Decide(programme, new AwardGrant(IdFor($"{p.Code}/{g.Key}"), g.Grantee,
            g.Countries, g.Title, g.Amount, null, p.WindowStart, p.WindowEnd,
            shares.Select((t, i) => new AddTranche(IdFor($"{p.Code}/{g.Key}/tranche/{i + 1}"), decimal.Round(g.Amount * t.Share, 2), null)).ToList(),
            FinanceOf(users), DemoOrganisations.IdOf(g.Grantee))).Value;
        session.Events.Append(programme.Id, award.Commitment);
        var events = new List<object> { award.Award };
        events.AddRange(award.Tranches);
        programme = programme.Evolve(award.Commitment);
        var grant = award.Tranches.Aggregate(Grant.Start(award.Award), (current, t) => current.Evolve(t));
        if (award.Pending is { } pending)
        {
            // At or above the threshold the award waits for a second person: the demo approver approves it.
            grant = Record(grant, events, pending);
            grant = Record(grant, events, AwardApprovalDecision.Approve(grant, ApproverOf(users)).Value);
        }

        foreach (var m in demo.Milestones ?? [])
        {
            var gate = shares.Select((t, i) => (t, i)).FirstOrDefault(x => x.t.Gate == m.Key);
            var planned = PlanMilestoneDecision.Decide(grant, new PlanMilestone(IdFor($"{p.Code}/{g.Key}/{m.Key}"),
                m.Title, m.Kind, p.WindowStart.PlusMonths(m.Month).PlusDays(-1),
                gate.t is null ? null : grant.Tranches[gate.i].Id), zone).Value;
            grant = Record(grant, events, planned);
            await MilestoneSchedule.ScheduleAsync(bus, planned, now, milestoneOptions);
            var state = g.Milestones?.GetValueOrDefault(m.Key) ?? "planned";
            grant = Deliver(session, grant, events, planned, state, g.Rejection, now);
            if (state == "rejected")
            {
                // As the rejection through the API would: the grantee is told (feed and e-mail), after the seed commits.
                var notice = RejectMilestoneHandler.SentBack(IdFor($"{planned.MilestoneId}/sent-back"), grant, grant.FindMilestone(planned.MilestoneId)!,
                    g.Rejection ?? "Incomplete.", grant.FindMilestone(planned.MilestoneId)!.IsOverdue, now);
                session.Store(notice);
                await bus.PublishAsync(new DeliverNotification(notice.Id));
            }
        }

        session.Events.StartStream<Grant>(grant.Id, events);
        return (programme, grant);
    }

    /// <summary>Walks a planned milestone to the state the demo file asks for, through the real decisions.</summary>
    private static Grant Deliver(IDocumentSession session, Grant grant, List<object> events, MilestonePlanned planned,
        string state, string? rejection, Instant now)
    {
        if (state == "planned")
        {
            return grant;
        }

        var evidence = DemoEvidence.Pdf(planned.Title);
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

    private static FxRateTable SetRates(IDocumentSession session, DemoLedger demo)
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
    private static Grant SetBudgetAndReports(IDocumentSession session, DemoLedger demo, string key, Grant grant, Programme programme, string code)
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

    /// <summary>
    /// The payments, recorded by the demo finance officer; those above the threshold approved by the demo approver,
    /// and reversed where the file gives a reason.
    /// </summary>
    private static void Pay(IDocumentSession session, DemoLedger demo, Dictionary<string, Grant> grants, Programme programme,
        FxRateTable rates, IReadOnlyDictionary<string, string> users, Instant now)
    {
        var financeId = FinanceOf(users);
        var approverId = ApproverOf(users);
        var zone = DateTimeZoneProviders.Tzdb[programme.TimeZone];
        foreach (var (d, index) in demo.Disbursements.Select((d, i) => (d, i)))
        {
            var grant = grants[d.Grant];
            var trancheId = d.Tranche is { } number ? grant.Tranches.Single(t => t.Number == number).Id : (Guid?)null;
            var disbursementId = IdFor($"{demo.Programme.Code}/disbursement/{index}");
            var paid = RecordDisbursementDecision.Decide(grant, programme.Window, new RecordDisbursement(
                disbursementId, d.Amount, null, d.ValueDate, d.Reference, d.Note, trancheId, null, financeId,
                // The demo replays a history: each payment counts as recorded on its value date, so the cumulative
                // four-eyes window adds up the payments that were close in time then, not everything seeded today.
                d.ValueDate.AtStartOfDayInZone(zone).ToInstant(), BankAccountId: DemoOrganisations.AccountOf(grant.Grantee)),
                GranteeHold.None, programme.Approval,
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
                var reversal = ReverseDisbursementDecision.Request(grant, new ReverseDisbursement(disbursementId, reason, financeId), programme.Approval).Value;
                var reversed = new List<object> { reversal };
                if (reversal is ReversalRequested)
                {
                    // At or above the threshold the reversal waits for a second person: the demo approver approves it.
                    reversed.AddRange(ReverseDisbursementDecision.DecideRequested(grant.Evolve(reversal), new DecideReversal(disbursementId, true, approverId)).Value);
                }

                foreach (var e in reversed)
                {
                    session.Events.Append(grant.Id, e);
                    grant = grant.Evolve(e);
                }
            }

            grants[d.Grant] = grant;
        }
    }

    /// <summary>
    /// One payment request waiting in finance's queue: Snow Leopard Conservancy asks for its second tranche, open since its
    /// mid-term report was confirmed and not paid yet, with an invoice. Decided like any request (a locked or overpaid
    /// tranche would throw here, not seed a request the ledger would refuse).
    /// </summary>
    private static void RequestPayment(IDocumentSession session, Dictionary<string, Grant> grants, IReadOnlyDictionary<string, string> users, Instant now)
    {
        if (!grants.TryGetValue("slc", out var grant) || grant.Tranches.FirstOrDefault(t => t.Number == 2) is not { } tranche)
        {
            return;
        }

        var requestId = IdFor($"{grant.Id}/payment-request/1");
        var invoice = DemoEvidence.Pdf("Invoice for tranche 2");
        var file = new EvidenceFile(IdFor($"{requestId}/invoice"), "invoice-tranche-2.pdf", "application/pdf", invoice.LongLength, EvidenceStore.Sha256Of(invoice));
        var requested = RequestPaymentDecision.Decide(grant, new RequestPayment(requestId, tranche.Amount.Amount, tranche.Id,
            "Tranche 2, due now that the mid-term report is confirmed. Invoice attached.", [file],
            users.GetValueOrDefault("grantee@slconservancy.example", "demo-grantee"), now)).Value;
        EvidenceStore.Store(session, grant.Id, requestId, file, invoice);
        session.Events.Append(grant.Id, requested);
        grants["slc"] = grant.Evolve(requested);
    }

    internal static string FinanceOf(IReadOnlyDictionary<string, string> users) => users.GetValueOrDefault("finance@ecaro.example", "demo-finance");

    internal static string ApproverOf(IReadOnlyDictionary<string, string> users) => users.GetValueOrDefault("approver@ecaro.example", "demo-approver");

    /// <summary>The grantees confirm receipt of some payments (the file gives the payment by its position).</summary>
    private static void RecordReceipts(IDocumentSession session, DemoLedger demo, Dictionary<string, Grant> grants)
    {
        foreach (var receipt in demo.Receipts ?? [])
        {
            var disbursementId = IdFor($"{demo.Programme.Code}/disbursement/{receipt.Disbursement}");
            var grant = grants[demo.Disbursements[receipt.Disbursement].Grant];
            var received = new DisbursementReceived(grant.Id, disbursementId, new Money(receipt.Amount, receipt.Currency));
            session.Events.Append(grant.Id, received);
            grants[demo.Disbursements[receipt.Disbursement].Grant] = grant.Evolve(received);
        }
    }

    /// <summary>
    /// Issue #19 item 4: the second half of WWB's first tranche (6,000.00, held for a second person by the cumulative
    /// four-eyes window and approved) went to an account the grantee had closed, and the bank sent all of it back a week
    /// later. Nets to nothing, so the figures of README's tables stay as they are; the grant page shows "returned".
    /// </summary>
    private static Grant ReturnedByTheBank(IDocumentSession session, DemoLedger demo, Grant grant, Programme programme, IReadOnlyDictionary<string, string> users)
    {
        var (financeId, approverId) = (FinanceOf(users), ApproverOf(users));
        var disbursementId = IdFor($"{demo.Programme.Code}/disbursement/returned");
        var tranche = grant.Tranches.Single(t => t.Number == 1).Id;
        var valueDate = new LocalDate(2020, 5, 11);
        var paid = RecordDisbursementDecision.Decide(grant, programme.Window, new RecordDisbursement(disbursementId, 6_000m, null, valueDate,
            "ECARO-2020-0511", "Tranche 1, second half", tranche, null, financeId,
            valueDate.AtStartOfDayInZone(DateTimeZoneProviders.Tzdb[programme.TimeZone]).ToInstant(), BankAccountId: DemoOrganisations.AccountOf(grant.Grantee)),
            GranteeHold.None, programme.Approval).Value;
        var events = new List<object> { paid.Payment };
        grant = grant.Evolve(paid.Payment);
        if (paid.AwaitsApproval)
        {
            var approved = ApproveDisbursementDecision.Decide(grant, new ApproveDisbursement(disbursementId, approverId)).Value;
            events.Add(approved);
            grant = grant.Evolve(approved);
        }

        var returned = ReturnDisbursementDecision.Decide(grant, new ReturnDisbursement(disbursementId, 6_000m, new LocalDate(2020, 5, 18),
            "Beneficiary account closed", "RTN-2020-0518-07", financeId), programme.Books).Value;
        events.Add(returned);
        session.Events.Append(grant.Id, [.. events]);
        return grant.Evolve(returned);
    }

    /// <summary>Issue #19 item 5: finance closed April and May 2020, the months of the first payments and the return.</summary>
    private static Programme CloseFirstMonths(IDocumentSession session, Programme programme, IReadOnlyDictionary<string, string> users, Instant now)
    {
        var today = now.InZone(DateTimeZoneProviders.Tzdb[programme.TimeZone]).Date;
        foreach (var month in new[] { new YearMonth(2020, 4), new YearMonth(2020, 5) })
        {
            var closed = BookPeriodDecisions.Close(programme, new ClosePeriod(month, "Bank statements reconciled", FinanceOf(users)), today).Value;
            session.Events.Append(programme.Id, closed);
            programme = programme.Evolve(closed);
        }

        return programme;
    }
}
