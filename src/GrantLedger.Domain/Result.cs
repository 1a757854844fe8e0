namespace GrantLedger.Domain;

/// <summary>How a refused command should be reported: a broken business rule or something that does not exist.</summary>
public enum ErrorKind
{
    BusinessRule,
    NotFound,
}

/// <summary>A refusal with a stable, machine-readable code and a sentence a finance officer understands.</summary>
/// <param name="Rows">For imports: every row that is wrong and why (nothing is imported when there is one).</param>
/// <param name="Rule">For four eyes: which rule asked for a second person (<see cref="Programmes.FourEyesRule"/>).</param>
public sealed record DomainError(string Code, string Message, ErrorKind Kind = ErrorKind.BusinessRule, IReadOnlyList<RowError>? Rows = null,
    string? Rule = null);

/// <summary>What is wrong with one row of an import (1-based, as a spreadsheet numbers its data rows).</summary>
public sealed record RowError(int Row, string Field, string Message);

/// <summary>The outcome of a decision: a value (usually the events to append) or the reason it was refused.</summary>
public readonly struct Result<T>
{
    private readonly T? _value;

    private Result(T? value, DomainError? error)
    {
        _value = value;
        Error = error;
    }

    public DomainError? Error { get; }
    public bool IsSuccess => Error is null;

    public T Value => IsSuccess ? _value! : throw new InvalidOperationException($"Refused: {Error!.Code}");

    public static implicit operator Result<T>(T value) => new(value, null);
    public static implicit operator Result<T>(DomainError error) => new(default, error);

    public Result<TOut> Then<TOut>(Func<T, Result<TOut>> next) => IsSuccess ? next(_value!) : Error!;
}

/// <summary>The stable error codes of the ledger; the HTTP API reports them as the problem's <c>code</c>.</summary>
public static class DomainErrors
{
    public static DomainError InvalidAmount(string message) => new("invalid-amount", message);
    public static DomainError CurrencyMismatch(string expected, string actual) =>
        new("currency-mismatch", $"The ledger is kept in {expected}; {actual} was given.");
    public static DomainError AllocationExceeded(Money requested, Money uncommitted) =>
        new("allocation-exceeded", $"Awarding {requested} would exceed the programme allocation: only {uncommitted} is uncommitted.");
    public static DomainError GrantExceeded(Money requested, Money remaining) =>
        new("grant-exceeded", $"Disbursing {requested} would exceed the grant: only {remaining} remains to be paid.");
    public static DomainError OutsideWindow(string message) => new("outside-window", message);
    public static DomainError InvalidWindow(string message) => new("invalid-window", message);
    public static DomainError AlreadyReversed(Guid disbursementId) =>
        new("already-reversed", $"Disbursement {disbursementId} has already been reversed.");
    public static DomainError DisbursementNotFound(Guid disbursementId) =>
        new("disbursement-not-found", $"The grant has no disbursement {disbursementId}.", ErrorKind.NotFound);
    public static DomainError NotDisbursed(Guid disbursementId) =>
        new("not-disbursed", $"Disbursement {disbursementId} was never paid (it awaits approval or was rejected); there is nothing to reverse.");
    public static DomainError NotAwaitingApproval(Guid disbursementId) =>
        new("not-awaiting-approval", $"Disbursement {disbursementId} is not awaiting approval.");
    public static DomainError SamePersonApproval(string rule = Programmes.FourEyesRule.SinglePayment) =>
        new("same-person-approval", rule switch
        {
            Programmes.FourEyesRule.PeriodReopening => "The person who asked to reopen a month cannot approve it: a second person must.",
            Programmes.FourEyesRule.Award => "The person who awarded a grant cannot approve the award: a second person must.",
            Programmes.FourEyesRule.Reversal => "The person who asked for a reversal cannot approve it: a second person must.",
            Programmes.FourEyesRule.RuleChange => "The person who proposed a change of the approval rules cannot approve it: a second person must.",
            Programmes.FourEyesRule.Amendment => "The person who proposed an amendment cannot approve it: a second person must.",
            Programmes.FourEyesRule.BankAccount => "The person who proposed a bank account cannot approve it: a second person must.",
            _ => "The person who recorded a payment cannot approve it: a second person must.",
        }, Rule: rule);
    public static DomainError AwardAwaitingApproval() =>
        new("award-awaiting-approval", "The award of this grant awaits a second person's approval; nothing can be paid before it is approved.",
            Rule: Programmes.FourEyesRule.Award);
    public static DomainError AwardRejected() =>
        new("award-rejected", "The award of this grant was rejected; nothing can be paid on it.", Rule: Programmes.FourEyesRule.Award);
    public static DomainError AwardNotAwaitingApproval() =>
        new("not-awaiting-approval", "The award of this grant is not awaiting approval.", Rule: Programmes.FourEyesRule.Award);
    public static DomainError ReversalPending(Guid disbursementId) =>
        new("reversal-pending", $"A reversal of disbursement {disbursementId} already awaits a second person's approval.",
            Rule: Programmes.FourEyesRule.Reversal);
    public static DomainError ReversalNotAwaitingApproval(Guid disbursementId) =>
        new("not-awaiting-approval", $"No reversal of disbursement {disbursementId} is awaiting approval.", Rule: Programmes.FourEyesRule.Reversal);
    public static DomainError MilestoneNotFound(Guid milestoneId) =>
        new("milestone-not-found", $"The grant has no milestone {milestoneId}.", ErrorKind.NotFound);
    public static DomainError UnknownMilestone(Guid milestoneId) =>
        new("milestone-not-found", $"The grant has no milestone {milestoneId}.");
    public static DomainError TrancheNotFound(Guid trancheId) =>
        new("tranche-not-found", $"The grant has no tranche {trancheId}.");
    public static DomainError TrancheRequired() =>
        new("tranche-required", "This grant pays by tranches: name the tranche this payment belongs to.");
    public static DomainError TrancheLocked(int number, string milestone) =>
        new("tranche-locked", $"Tranche {number} is paid only after the milestone \"{milestone}\" is confirmed.");
    public static DomainError TrancheExceeded(int number, Money requested, Money remaining) =>
        new("tranche-exceeded", $"Paying {requested} would overpay tranche {number}: only {remaining} of it remains.");
    public static DomainError TranchePlanExceeded(Money planned, Money grant) =>
        new("tranche-plan-exceeded", $"The tranches would add up to {planned}, more than the grant of {grant}.");
    public static DomainError TrancheBelowPaid(int number, Money paid) =>
        new("tranche-below-paid", $"Tranche {number} has {paid} paid against it; the amendment cannot remove it or make it smaller.");
    public static DomainError TrancheAlreadyGated(int number) =>
        new("tranche-already-gated", $"Tranche {number} is already gated by another milestone.");
    public static DomainError GranteeOnHold(string grantee, IEnumerable<string> milestones) =>
        new("grantee-on-hold", $"{grantee} is on hold: overdue milestone(s) {string.Join(", ", milestones.Select(m => $"\"{m}\""))}. " +
            "Pay only with an override and a reason.");
    public static DomainError MilestoneAlreadySubmitted(string title) =>
        new("milestone-already-submitted", $"\"{title}\" has been submitted and awaits review.");
    public static DomainError MilestoneAlreadyConfirmed(string title) =>
        new("milestone-already-confirmed", $"\"{title}\" has already been confirmed.");
    public static DomainError MilestoneNotSubmitted(string title) =>
        new("milestone-not-submitted", $"\"{title}\" has no submission awaiting review.");
    public static DomainError PaymentNotReturnable(Guid disbursementId, string why) =>
        new("payment-not-returnable", $"Disbursement {disbursementId} cannot be recorded as returned by the bank: {why}.");
    public static DomainError PaymentReturned(Guid disbursementId) =>
        new("payment-returned", $"The bank returned disbursement {disbursementId}; it can no longer be reversed or confirmed as received.");
    public static DomainError PeriodClosed(NodaTime.YearMonth month) =>
        new("period-closed", $"The books for {Programmes.BookPeriods.Name(month)} are closed: nothing dated in that month can be recorded. Ask to reopen the month, " +
            "or book a correction in an open month.");
    public static DomainError EvidenceRequired() =>
        new("evidence-required", "A submission needs at least one evidence file.");
}
