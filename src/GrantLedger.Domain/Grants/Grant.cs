using System.Collections.Immutable;
using GrantLedger.Domain.Amendments;
using GrantLedger.Domain.Budgets;
using GrantLedger.Domain.Expenditure;
using GrantLedger.Domain.Milestones;
using NodaTime;

namespace GrantLedger.Domain.Grants;

public enum DisbursementStatus
{
    Recorded,
    AwaitingApproval,
    Rejected,
}

/// <summary>A payment as the grant sees it. Only a recorded, unreversed one counts as disbursed; one awaiting approval
/// is reserved (it counts against what remains, so two pending payments can never overspend).</summary>
public sealed record Disbursement(
    Guid Id,
    Money Amount,
    LocalDate ValueDate,
    string BankReference,
    string? Note,
    bool Reversed,
    string? ReversalReason,
    Guid? TrancheId = null,
    DisbursementStatus Status = DisbursementStatus.Recorded,
    string? RecordedBy = null,
    string? DecidedBy = null,
    string? RejectionReason = null,
    Money? Received = null,
    Instant? RecordedAt = null,
    string? ReversalRequestedBy = null,
    string? RequestedReversalReason = null,
    string? ApprovalRule = null,
    string? ReceivedReference = null,
    Guid? PaymentRequestId = null,
    Money? ReturnedAmount = null,
    LocalDate? ReturnedOn = null,
    string? ReturnReason = null,
    string? ReturnReference = null,
    Guid? BankAccountId = null)
{
    /// <summary>Paid and not reversed. A payment the bank sent back still counts (it was paid); only its net amount does.</summary>
    public bool CountsAsDisbursed => Status == DisbursementStatus.Recorded && !Reversed;
    public bool IsReturned => ReturnedAmount is not null;

    /// <summary>What the payment still costs the grant: its amount less what the bank sent back (the bank's charges on a
    /// partial return stay paid).</summary>
    public Money Net => ReturnedAmount is { } returned ? Amount - returned : Amount;
    public bool IsReserved => Status == DisbursementStatus.AwaitingApproval;
    public bool ReversalAwaitsApproval => ReversalRequestedBy is not null;

    /// <summary>Nothing waits on the payment: no approval of it and no reversal of it is pending.</summary>
    public bool IsFinal => !IsReserved && !ReversalAwaitsApproval;

    public static Disbursement Of(DisbursementRecorded e) =>
        new(e.DisbursementId, e.Amount, e.ValueDate, e.BankReference, e.Note, false, null, e.TrancheId,
            RecordedAt: e.RecordedAt, PaymentRequestId: e.PaymentRequestId, BankAccountId: e.BankAccountId);

    public static Disbursement Of(DisbursementSubmittedForApproval e) =>
        new(e.DisbursementId, e.Amount, e.ValueDate, e.BankReference, e.Note, false, null, e.TrancheId, DisbursementStatus.AwaitingApproval,
            e.RecordedBy, RecordedAt: e.RecordedAt, ApprovalRule: e.Rule ?? Programmes.FourEyesRule.SinglePayment,
            PaymentRequestId: e.PaymentRequestId, BankAccountId: e.BankAccountId);

    /// <summary>The payment after one event about it: the one place a payment's state changes, for the grant's fold and
    /// for the payment documents pages read.</summary>
    public Disbursement Apply(IPaymentEvent e) => e switch
    {
        DisbursementApproved x => this with { Status = DisbursementStatus.Recorded, DecidedBy = x.ApprovedBy },
        DisbursementRejected x => this with { Status = DisbursementStatus.Rejected, DecidedBy = x.RejectedBy, RejectionReason = x.Reason },
        DisbursementReversed x => this with { Reversed = true, ReversalReason = x.Reason },
        ReversalRequested x => this with { ReversalRequestedBy = x.RequestedBy, RequestedReversalReason = x.Reason },
        ReversalApproved or ReversalRejected => this with { ReversalRequestedBy = null, RequestedReversalReason = null },
        DisbursementReturned x => this with
        {
            ReturnedAmount = x.Amount, ReturnedOn = x.ValueDate, ReturnReason = x.BankReason, ReturnReference = x.BankReference,
        },
        DisbursementReceived x => this with { Received = x.Received, ReceivedReference = x.BankReference },
        _ => throw new InvalidOperationException($"A payment does not change on {e.GetType().Name}."),
    };
}

public enum AwardStatus
{
    Approved,
    AwaitingApproval,
    Rejected,
}

/// <summary>The grant write model: the amount awarded, its tranche plan, its milestones and the money paid.</summary>
/// <remarks><see cref="Disbursements"/> holds the payments one by one: all of them in a fold from the grant's events; in
/// the stored snapshot only the recent ones and any still waiting on a decision, the rest in <see cref="Settled"/>
/// (ADR 0018). Every total below counts both.</remarks>
public sealed record Grant(
    Guid Id,
    Guid ProgrammeId,
    string Grantee,
    IReadOnlyList<string> Countries,
    string Title,
    Money Amount,
    LocalDate WindowStart,
    LocalDate WindowEnd,
    string TimeZone,
    ImmutableList<Disbursement> Disbursements,
    ImmutableList<Tranche> Tranches,
    ImmutableList<Milestone> Milestones,
    long Version = 0,
    Budget? Budget = null,
    ImmutableList<ExpenditureReport>? Reports = null,
    ImmutableList<Amendment>? AmendmentList = null,
    AwardStatus AwardState = AwardStatus.Approved,
    string? AwardedBy = null,
    ImmutableList<PaymentRequest>? RequestList = null,
    Guid? OrganisationId = null,
    SettledPayments? SettledList = null,
    Instant? LastPaymentAt = null)
{
    /// <summary>Payments the stored snapshot holds only as sums (none in a fold from events; ADR 0018).</summary>
    public SettledPayments Settled => SettledList ?? SettledPayments.None;

    /// <summary>Every payment of the grant: those held one by one and the settled ones.</summary>
    public int PaymentCount => Disbursements.Count + Settled.Count;

    /// <summary>Paid and reserved payments recorded after <paramref name="since"/>: what a new payment is added to for
    /// the cumulative four-eyes rule. Payments of older events carry no recorded time and are left out; settled payments
    /// count through <see cref="SettledPayments.Window"/>, which keeps the longest window a programme can set.</summary>
    public Money CommittedSince(Instant since) =>
        Disbursements.Where(d => (d.CountsAsDisbursed || d.IsReserved) && d.RecordedAt is { } at && at > since)
            .Select(d => d.Amount).Sum(Currency) + new Money(Settled.CommittedSince(since), Currency);

    public ImmutableList<ExpenditureReport> ExpenditureReports => Reports ?? [];
    public ImmutableList<Amendment> Amendments => AmendmentList ?? [];
    public ImmutableList<PaymentRequest> PaymentRequests => RequestList ?? [];
    public PaymentRequest? FindPaymentRequest(Guid requestId) => PaymentRequests.FirstOrDefault(r => r.Id == requestId);

    public string Currency => Amount.Currency;
    public DateWindow Window => new(WindowStart, WindowEnd);
    public Money Disbursed => Disbursements.Where(d => d.CountsAsDisbursed).Select(d => d.Net).Sum(Currency) + new Money(Settled.Paid, Currency);

    /// <summary>What the bank sent back of paid payments.</summary>
    public Money Returned => Disbursements.Where(d => d.CountsAsDisbursed && d.IsReturned).Select(d => d.ReturnedAmount!.Value).Sum(Currency)
        + new Money(Settled.Returned, Currency);
    public Money Reserved => Disbursements.Where(d => d.IsReserved).Select(d => d.Amount).Sum(Currency);

    /// <summary>What can still be committed to payments: neither paid nor reserved by a payment awaiting approval.</summary>
    public Money Remaining => Amount - Disbursed - Reserved;
    public Money Planned => Tranches.Select(t => t.Amount).Sum(Currency);

    public Disbursement? FindDisbursement(Guid disbursementId) => Disbursements.FirstOrDefault(d => d.Id == disbursementId);
    public Tranche? FindTranche(Guid trancheId) => Tranches.FirstOrDefault(t => t.Id == trancheId);
    public Milestone? FindMilestone(Guid milestoneId) => Milestones.FirstOrDefault(m => m.Id == milestoneId);

    public Money PaidAgainst(Guid trancheId) =>
        Disbursements.Where(d => d.CountsAsDisbursed && d.TrancheId == trancheId).Select(d => d.Net).Sum(Currency)
        + new Money(Settled.PaidAgainst(trancheId), Currency);

    /// <summary>Paid and reserved against the tranche: what a new payment must fit beside.</summary>
    public Money CommittedAgainst(Guid trancheId) =>
        Disbursements.Where(d => (d.CountsAsDisbursed || d.IsReserved) && d.TrancheId == trancheId).Select(d => d.Net).Sum(Currency)
        + new Money(Settled.PaidAgainst(trancheId), Currency);

    /// <summary>
    /// The grant with its final payments (nothing waits on them) moved into <see cref="Settled"/>, and the four-eyes
    /// window trimmed to the longest a programme can set: what the stored snapshot keeps after each payment event, so
    /// its size follows the payments still waiting on someone, not the grant's history (ADR 0018).
    /// </summary>
    public Grant Settle()
    {
        var settled = Disbursements.Where(d => d.IsFinal).Aggregate(Settled, (sums, d) => sums.With(d));
        settled = LastPaymentAt is { } latest ? settled.Pruned(latest - SettledPayments.Held) : settled;
        // One order whatever the order things settled and came back in, so one transaction's events settled at its end
        // store what settling after each event makes (reconciliation compares the two).
        return this with
        {
            Disbursements = Disbursements.RemoveAll(d => d.IsFinal).Sort(HeldOrder),
            SettledList = settled.Window is { } window ? settled with { Window = window.Sort(WindowOrder) } : settled,
        };
    }

    private static readonly Comparison<Disbursement> HeldOrder = (a, b) =>
        Nullable.Compare(a.RecordedAt, b.RecordedAt) is var byTime and not 0 ? byTime : a.Id.CompareTo(b.Id);

    private static readonly Comparison<WindowPayment> WindowOrder = (a, b) =>
        a.RecordedAt.CompareTo(b.RecordedAt) is var byTime and not 0 ? byTime : a.Id.CompareTo(b.Id);

    /// <summary>The settled payment <paramref name="e"/> is about, which the stored snapshot must recall before applying
    /// it; null when the event is about no payment, a new one, or one held.</summary>
    public Guid? Recalls(object e) =>
        e is IPaymentEvent about and not (DisbursementRecorded or DisbursementSubmittedForApproval)
        && Settled.Count > 0 && FindDisbursement(about.DisbursementId) is null
            ? about.DisbursementId
            : null;

    /// <summary>The stored snapshot's step (ADR 0018): recall the settled payment the event is about (as it stood just
    /// before the event: <paramref name="recalled"/>), apply the event, settle what has become old and final.</summary>
    public Grant EvolveSettling(object e, Disbursement? recalled)
    {
        var grant = recalled is not null && Recalls(e) == recalled.Id ? Recall(recalled) : this;
        grant = grant.Evolve(e);
        return e is IPaymentEvent ? grant.Settle() : grant;
    }

    /// <summary>
    /// Replays a grant's events both ways: the plain fold holding every payment, and the stored snapshot's (recalling
    /// settled payments from the plain fold as it stood before each event). Reconciliation compares the second with
    /// what is stored and checks the first.
    /// </summary>
    public static (Grant? Full, Grant? Stored) Replay(IEnumerable<object> events)
    {
        Grant? full = null, stored = null;
        foreach (var e in events)
        {
            if (e is GrantAwarded awarded)
            {
                (full, stored) = (Start(awarded), Start(awarded));
                continue;
            }

            var recalled = stored?.Recalls(e) is { } id ? full?.FindDisbursement(id) : null;
            stored = stored?.EvolveSettling(e, recalled);
            full = full?.Evolve(e);
        }

        return (full, stored);
    }

    /// <summary>The grant holding a settled payment one by one again (as it stands: from the grant's events or its
    /// payment document), so a command or event about it can see it. A payment already held is left alone.</summary>
    public Grant Recall(Disbursement payment) =>
        Settled.Count == 0 || FindDisbursement(payment.Id) is not null
            ? this
            : this with { Disbursements = Disbursements.Add(payment), SettledList = Settled.Without(payment) };

    /// <summary>A gated tranche opens when its milestone is confirmed.</summary>
    public bool IsLocked(Tranche tranche) =>
        tranche.MilestoneId is { } milestoneId && FindMilestone(milestoneId)?.Status != MilestoneStatus.Confirmed;

    public IEnumerable<Milestone> OverdueMilestones => Milestones.Where(m => m.IsOverdue);

    /// <summary>A milestone's deadline passed undelivered (it may be delivered since): only such a grant can hold its
    /// organisation's payments. Stored in a column of its own beside the snapshot, so a payment finds these grants
    /// without opening every grant of the organisation.</summary>
    public bool HasMissedDeadline => Milestones.Any(m => m.DeadlineMissed);

    /// <summary>Folds any event of the grant stream; an event this model does not know is a bug, not a no-op.</summary>
    public Grant Evolve(object e) => e switch
    {
        DisbursementRecorded x => On(x),
        DisbursementReversed x => WithDisbursement(x.DisbursementId, d => d.Apply(x)),
        DisbursementSubmittedForApproval x => On(x),
        DisbursementApproved x => WithDisbursement(x.DisbursementId, d => d.Apply(x)),
        DisbursementRejected x => On(x),
        HoldOverridden x => On(x),
        ReportedSpendRuleOverridden => this,
        TrancheAdded x => On(x),
        TranchePlanAmended x => On(x),
        MilestonePlanned x => On(x),
        MilestoneSubmitted x => On(x),
        MilestoneConfirmed x => On(x),
        MilestoneRejected x => On(x),
        MilestoneBecameOverdue x => On(x),
        GrantAwardSubmittedForApproval x => this with { AwardState = AwardStatus.AwaitingApproval, AwardedBy = x.AwardedBy },
        GrantAwardApproved => this with { AwardState = AwardStatus.Approved },
        GrantOrganisationLinked x => this with { OrganisationId = x.OrganisationId },
        GrantAwardRejected => this with { AwardState = AwardStatus.Rejected },
        ReversalRequested or ReversalApproved or ReversalRejected or DisbursementReturned or DisbursementReceived =>
            WithDisbursement(((IPaymentEvent)e).DisbursementId, d => d.Apply((IPaymentEvent)e)),
        BudgetSet x => this with { Budget = Budget.From(x.Lines) },
        BudgetRevised x => this with { Budget = Budget!.Apply(x) },
        BudgetRestated x => this with { Budget = Budget.From(x.Lines) },
        ExpenditureReportSubmitted x => this with
        {
            Reports = ExpenditureReports.Add(new ExpenditureReport(x.ReportId, x.PeriodStart, x.PeriodEnd,
                [.. x.Entries.Select(ReportedEntry.From)])),
        },
        ExpenditureEntriesReviewed x => this with
        {
            Reports = ExpenditureReports.Select(r => r.ReportId == x.ReportId ? r.Apply(x) : r).ToImmutableList(),
        },
        AmendmentProposed x => this with { AmendmentList = Amendments.Add(new Amendment(x, AmendmentStatus.Proposed, null, null)) },
        AmendmentApproved x => this with
        {
            AmendmentList = AmendmentDecisions.With(Amendments, x.AmendmentId, a => a with { Status = AmendmentStatus.Approved, DecidedBy = x.ApprovedBy }),
        },
        AmendmentRejected x => this with
        {
            AmendmentList = AmendmentDecisions.With(Amendments, x.AmendmentId,
                a => a with { Status = AmendmentStatus.Rejected, DecidedBy = x.RejectedBy, RejectionReason = x.Reason }),
        },
        GrantAmountChanged x => this with { Amount = x.To },
        GrantWindowChanged x => this with { WindowEnd = x.ToEnd },
        PaymentRequested x => this with
        {
            RequestList = PaymentRequests.Add(new PaymentRequest(x.RequestId, x.Amount, x.TrancheId, x.Note, x.Files, x.RequestedBy, x.RequestedAt)),
        },
        PaymentRequestDeclined x => WithPaymentRequest(x.RequestId,
            r => r with { Status = PaymentRequestStatus.Declined, DeclineReason = x.Reason, DeclinedBy = x.DeclinedBy }),
        MilestoneRescheduled x => WithMilestone(x.MilestoneId, m => m with { DueDate = x.DueDate, Deadline = x.Deadline, DeadlineMissed = false }),
        _ => throw new InvalidOperationException($"A grant does not know how to apply {e.GetType().Name}."),
    } with { Version = Version + 1 };

    public static Grant Start(GrantAwarded e) =>
        new(e.GrantId, e.ProgrammeId, e.Grantee, e.Countries, e.Title, e.Amount, e.WindowStart, e.WindowEnd,
            e.TimeZone, [], [], [], 1, OrganisationId: e.OrganisationId);

    private Grant On(DisbursementRecorded e) =>
        Settling(e.PaymentRequestId, e.DisbursementId) with
        {
            Disbursements = Disbursements.Add(Disbursement.Of(e)),
            LastPaymentAt = Latest(LastPaymentAt, e.RecordedAt),
        };

    private static Instant? Latest(Instant? a, Instant? b) => a is null || (b is not null && b > a) ? b : a;

    /// <summary>The request a payment settles counts as paid from the moment the payment is recorded (also awaiting approval).</summary>
    private Grant Settling(Guid? requestId, Guid disbursementId) =>
        requestId is { } id ? WithPaymentRequest(id, r => r with { Status = PaymentRequestStatus.Paid, DisbursementId = disbursementId }) : this;

    private Grant WithPaymentRequest(Guid requestId, Func<PaymentRequest, PaymentRequest> change) =>
        this with { RequestList = PaymentRequests.Select(r => r.Id == requestId ? change(r) : r).ToImmutableList() };

    private Grant On(DisbursementSubmittedForApproval e) =>
        Settling(e.PaymentRequestId, e.DisbursementId) with
        {
            Disbursements = Disbursements.Add(Disbursement.Of(e)),
            LastPaymentAt = Latest(LastPaymentAt, e.RecordedAt),
        };

    /// <summary>A rejected payment paid nothing: the request it settled is open again, for finance to pay or decline.</summary>
    private Grant On(DisbursementRejected e) =>
        (FindDisbursement(e.DisbursementId)?.PaymentRequestId is { } requestId
            ? WithPaymentRequest(requestId, r => r.DisbursementId == e.DisbursementId
                ? r with { Status = PaymentRequestStatus.Open, DisbursementId = null } : r)
            : this)
        .WithDisbursement(e.DisbursementId, d => d.Apply(e));

    public IEnumerable<ReportedEntry> Entries => ExpenditureReports.SelectMany(r => r.Entries);

    private Grant WithDisbursement(Guid disbursementId, Func<Disbursement, Disbursement> change) =>
        this with { Disbursements = Disbursements.Select(d => d.Id == disbursementId ? change(d) : d).ToImmutableList() };

    private Grant On(TrancheAdded e) =>
        this with { Tranches = Tranches.Add(new Tranche(e.TrancheId, e.Number, e.Amount, e.MilestoneId)) };

    private Grant On(TranchePlanAmended e) => this with { Tranches = [.. e.Tranches] };

    private Grant On(MilestonePlanned e) =>
        this with
        {
            Milestones = Milestones.Add(Milestone.Plan(e)),
            Tranches = e.GatesTrancheId is { } trancheId
                ? Tranches.Select(t => t.Id == trancheId ? t with { MilestoneId = e.MilestoneId } : t).ToImmutableList()
                : Tranches,
        };

    private Grant On(MilestoneSubmitted e) =>
        WithMilestone(e.MilestoneId, m => m with
        {
            Status = MilestoneStatus.Submitted,
            Submissions = m.Submissions.Add(new Submission(e.Note, e.Files)),
            RejectionReason = null,
        });

    private Grant On(MilestoneConfirmed e) =>
        WithMilestone(e.MilestoneId, m => m with { Status = MilestoneStatus.Confirmed, ConfirmationNote = e.Note });

    private Grant On(MilestoneRejected e) =>
        WithMilestone(e.MilestoneId, m => m with { Status = MilestoneStatus.Rejected, RejectionReason = e.Reason });

    private Grant On(MilestoneBecameOverdue e) => WithMilestone(e.MilestoneId, m => m with { DeadlineMissed = true });

    private Grant On(HoldOverridden _) => this;

    private Grant WithMilestone(Guid milestoneId, Func<Milestone, Milestone> change) =>
        this with { Milestones = Milestones.Select(m => m.Id == milestoneId ? change(m) : m).ToImmutableList() };
}
