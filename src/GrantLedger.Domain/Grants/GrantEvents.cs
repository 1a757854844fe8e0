using GrantLedger.Domain.Budgets;
using GrantLedger.Domain.Expenditure;
using GrantLedger.Domain.Grants;
using GrantLedger.Domain.Milestones;
using NodaTime;

// Every event of the grant stream, in one place (they keep the namespaces of their features, so stored events keep
// their type names). The stream's other records (tranches, milestones, budget lines, entries) live with their features.
namespace GrantLedger.Domain.Grants
{
    /// <summary>An event about one payment of the grant (its recording, or a change of its state).</summary>
    public interface IPaymentEvent
    {
        Guid DisbursementId { get; }
    }

    /// <summary>A grant was awarded to a grantee from a programme. Starts the grant stream.</summary>
    public sealed record GrantAwarded(
        Guid GrantId,
        Guid ProgrammeId,
        string Grantee,
        IReadOnlyList<string> Countries,
        string Title,
        Money Amount,
        LocalDate WindowStart,
        LocalDate WindowEnd,
        string TimeZone = "UTC",
        Guid? OrganisationId = null);

    /// <summary>A grant awarded before organisations were records was bound to the organisation its grantee name
    /// denotes (appended once by the organisations migration; the award itself stays as recorded).</summary>
    public sealed record GrantOrganisationLinked(Guid GrantId, Guid OrganisationId, string Grantee, string LinkedBy);

    /// <summary>Money was paid to the grantee, with the value date the bank applied, against a tranche when the grant has a plan.</summary>
    public sealed record DisbursementRecorded(
        Guid GrantId,
        Guid ProgrammeId,
        Guid DisbursementId,
        Money Amount,
        LocalDate ValueDate,
        string BankReference,
        string? Note,
        Guid? TrancheId = null,
        Instant? RecordedAt = null,
        Guid? BankAccountId = null,
        Guid? PaymentRequestId = null) : IPaymentEvent;

    /// <summary>A payment at or above the programme's approval threshold (alone, or with the grant's other payments
    /// recorded within the window: <c>rule</c>) was recorded; its amount is reserved on the grant but nothing is paid
    /// until a second person approves it (four eyes). A null rule (older events) is <c>single-payment</c>.</summary>
    public sealed record DisbursementSubmittedForApproval(
        Guid GrantId,
        Guid ProgrammeId,
        Guid DisbursementId,
        Money Amount,
        LocalDate ValueDate,
        string BankReference,
        string? Note,
        Guid? TrancheId,
        string RecordedBy,
        Instant? RecordedAt = null,
        string? Rule = null,
        Guid? BankAccountId = null,
        Guid? PaymentRequestId = null) : IPaymentEvent;

    /// <summary>A second person approved a payment awaiting approval: it now counts as disbursed.</summary>
    public sealed record DisbursementApproved(Guid GrantId, Guid ProgrammeId, Guid DisbursementId, Money Amount, string ApprovedBy) : IPaymentEvent;

    /// <summary>A payment awaiting approval was turned down; its reservation is released and nothing was paid.</summary>
    public sealed record DisbursementRejected(Guid GrantId, Guid ProgrammeId, Guid DisbursementId, Money Amount, string Reason, string RejectedBy) : IPaymentEvent;

    /// <summary>A disbursement recorded in error was corrected. The original stays in history.</summary>
    public sealed record DisbursementReversed(
        Guid GrantId,
        Guid ProgrammeId,
        Guid DisbursementId,
        Money Amount,
        string Reason) : IPaymentEvent;

    /// <summary>The bank sent a payment back (wrong or closed account, sanctions screening): the money came back, which is
    /// not a correction of a mistake. The grant's remaining amount grows by <paramref name="Amount"/>.</summary>
    public sealed record DisbursementReturned(
        Guid GrantId,
        Guid ProgrammeId,
        Guid DisbursementId,
        Money Amount,
        LocalDate ValueDate,
        string BankReason,
        string? BankReference,
        string RecordedBy) : IPaymentEvent;

    /// <summary>A grantee user asked for a payment (its next tranche); finance pays it (the payment carries the request's
    /// id) or declines it.</summary>
    public sealed record PaymentRequested(
        Guid GrantId,
        Guid RequestId,
        Money Amount,
        Guid? TrancheId,
        string? Note,
        IReadOnlyList<Milestones.EvidenceFile> Files,
        string RequestedBy,
        Instant? RequestedAt = null);

    /// <summary>Finance declined a payment request, with a reason the grantee sees.</summary>
    public sealed record PaymentRequestDeclined(Guid GrantId, Guid RequestId, string Reason, string DeclinedBy);

    /// <summary>A grant at or above the programme's approval threshold was awarded; it is committed against the allocation
    /// but cannot be paid until a second person approves the award (four eyes). Follows <see cref="GrantAwarded"/>.</summary>
    public sealed record GrantAwardSubmittedForApproval(Guid GrantId, Guid ProgrammeId, Money Amount, string AwardedBy);

    /// <summary>A second person approved the award: the grant can be paid.</summary>
    public sealed record GrantAwardApproved(Guid GrantId, Guid ProgrammeId, Money Amount, string ApprovedBy);

    /// <summary>The award was turned down: the grant can never be paid, and the programme released its commitment.</summary>
    public sealed record GrantAwardRejected(Guid GrantId, Guid ProgrammeId, Money Amount, string Reason, string RejectedBy);

    /// <summary>Finance asked to reverse a payment at or above the threshold; the payment stands until a second person
    /// approves (then <see cref="DisbursementReversed"/> follows) or rejects the reversal.</summary>
    public sealed record ReversalRequested(Guid GrantId, Guid ProgrammeId, Guid DisbursementId, Money Amount, string Reason, string RequestedBy) : IPaymentEvent;

    /// <summary>A second person approved a requested reversal; <see cref="DisbursementReversed"/> is appended with it.</summary>
    public sealed record ReversalApproved(Guid GrantId, Guid ProgrammeId, Guid DisbursementId, Money Amount, string ApprovedBy) : IPaymentEvent;

    /// <summary>A requested reversal was turned down: the payment stands.</summary>
    public sealed record ReversalRejected(Guid GrantId, Guid ProgrammeId, Guid DisbursementId, Money Amount, string Reason, string RejectedBy) : IPaymentEvent;

    /// <summary>The grantee confirmed what a disbursement came to in its own currency: the rate the money really arrived at.</summary>
    /// <param name="BankReference">The grantee's bank statement reference for the credit; null when none was given (and on
    /// events recorded before the field existed).</param>
    public sealed record DisbursementReceived(Guid GrantId, Guid DisbursementId, Money Received, string? BankReference = null) : IPaymentEvent;

    /// <summary>A tranche was added to the grant's payment plan.</summary>
    public sealed record TrancheAdded(Guid GrantId, Guid TrancheId, int Number, Money Amount, Guid? MilestoneId);

    /// <summary>The whole tranche plan was restated (an amendment); the previous plan stays in history.</summary>
    public sealed record TranchePlanAmended(Guid GrantId, IReadOnlyList<Tranche> Tranches, string Reason);

    /// <summary>Finance paid a grantee that was on hold for an overdue milestone, and said why.</summary>
    public sealed record HoldOverridden(Guid GrantId, Guid DisbursementId, string Grantee, IReadOnlyList<Guid> OverdueMilestoneIds, string Reason);

    /// <summary>Finance paid a further tranche before enough spending was reported and accepted, and said why.</summary>
    public sealed record ReportedSpendRuleOverridden(Guid GrantId, Guid DisbursementId, Money Accepted, Money Required, string Reason);
}

namespace GrantLedger.Domain.Milestones
{
    /// <summary>A deliverable was planned; its deadline is the end of the due date in the programme's time zone.</summary>
    public sealed record MilestonePlanned(
        Guid GrantId,
        Guid MilestoneId,
        string Title,
        MilestoneKind Kind,
        LocalDate DueDate,
        Instant Deadline,
        Guid? GatesTrancheId);

    /// <summary>The grantee delivered the milestone, with a note and evidence files.</summary>
    public sealed record MilestoneSubmitted(Guid GrantId, Guid MilestoneId, string? Note, IReadOnlyList<EvidenceFile> Files);

    /// <summary>Finance accepted the submission; a tranche gated by this milestone can now be paid.</summary>
    public sealed record MilestoneConfirmed(Guid GrantId, Guid MilestoneId, string? Note);

    /// <summary>Finance sent the submission back; the grantee may resubmit.</summary>
    public sealed record MilestoneRejected(Guid GrantId, Guid MilestoneId, string Reason);

    /// <summary>The deadline passed with nothing delivered (or a rejected delivery). Recorded by the ledger itself.</summary>
    public sealed record MilestoneBecameOverdue(Guid GrantId, Guid MilestoneId, LocalDate DueDate, Instant Deadline);
}

namespace GrantLedger.Domain.Budgets
{
    /// <summary>The grant's budget was set (or replaced before any spending was reported). Sets the baseline for caps.</summary>
    public sealed record BudgetSet(Guid GrantId, IReadOnlyList<BudgetLine> Lines);

    /// <summary>Money moved between budget lines within the donor's reallocation cap, with a reason.</summary>
    public sealed record BudgetRevised(Guid GrantId, IReadOnlyList<BudgetLineChange> Changes, string Reason);
}

namespace GrantLedger.Domain.Expenditure
{
    /// <summary>The grantee reported what it spent in a period.</summary>
    public sealed record ExpenditureReportSubmitted(Guid GrantId, Guid ReportId, LocalDate PeriodStart, LocalDate PeriodEnd, IReadOnlyList<ExpenditureEntry> Entries);

    /// <summary>Finance accepted or rejected entries (a rejection says why). A later review of an entry supersedes an earlier one.</summary>
    public sealed record ExpenditureEntriesReviewed(Guid GrantId, Guid ReportId, IReadOnlyList<EntryReview> Reviews);
}

namespace GrantLedger.Domain.Amendments
{
    /// <summary>The budget was restated by an approved amendment; it is the new baseline for the reallocation cap.</summary>
    public sealed record BudgetRestated(Guid GrantId, IReadOnlyList<BudgetLine> Lines, Guid AmendmentId);

    /// <summary>A change to the grant beyond what finance may do alone: amount, end date (a no-cost extension), budget
    /// baseline, tranche plan or milestone dates. It takes effect only when a second person approves it.</summary>
    public sealed record AmendmentProposed(
        Guid GrantId,
        Guid AmendmentId,
        Money? NewAmount,
        LocalDate? NewEndDate,
        IReadOnlyList<BudgetLine>? Budget,
        IReadOnlyList<PlannedTranche>? Tranches,
        IReadOnlyList<MilestoneDueDate>? Milestones,
        string Reason,
        string ProposedBy);

    public sealed record AmendmentApproved(Guid GrantId, Guid AmendmentId, string ApprovedBy);

    public sealed record AmendmentRejected(Guid GrantId, Guid AmendmentId, string Reason, string RejectedBy);

    /// <summary>The grant's amount changed by an approved amendment (grant stream).</summary>
    public sealed record GrantAmountChanged(Guid GrantId, Guid ProgrammeId, Money From, Money To, Guid AmendmentId);

    /// <summary>The grant's end date moved (a no-cost extension, or a shortening) by an approved amendment.</summary>
    public sealed record GrantWindowChanged(Guid GrantId, LocalDate WindowStart, LocalDate FromEnd, LocalDate ToEnd, Guid AmendmentId);

    /// <summary>A milestone's due date moved by an approved amendment; a missed deadline no longer counts if the new one is later.</summary>
    public sealed record MilestoneRescheduled(Guid GrantId, Guid MilestoneId, LocalDate DueDate, Instant Deadline, Guid AmendmentId);
}
