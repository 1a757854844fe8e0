using GrantLedger.Domain.Milestones;
using NodaTime;

namespace GrantLedger.Domain.Grants;

public sealed record RecordDisbursement(
    Guid DisbursementId,
    decimal Amount,
    string? Currency,
    LocalDate ValueDate,
    string BankReference,
    string? Note,
    Guid? TrancheId = null,
    string? OverrideReason = null,
    string RecordedBy = "system",
    Instant RecordedAt = default,
    Guid? PaymentRequestId = null,
    Guid? BankAccountId = null);

/// <summary>The grantee's overdue milestones on all of its grants: while any exist, payments are on hold.</summary>
public sealed record GranteeHold(IReadOnlyList<Milestone> OverdueMilestones)
{
    public static readonly GranteeHold None = new([]);
    public bool IsOnHold => OverdueMilestones.Count > 0;

    public static GranteeHold Of(IEnumerable<Grant> granteeGrants) =>
        new(granteeGrants.SelectMany(g => g.OverdueMilestones).ToList());

    /// <summary>The hold on <paramref name="grant"/> (as the caller holds it) from it and the organisation's other grants
    /// that may hold it (a stored copy of <paramref name="grant"/> among them is ignored).</summary>
    public static GranteeHold Of(Grant grant, IEnumerable<Grant> organisationGrants) =>
        Of(organisationGrants.Where(g => g.Id != grant.Id).Append(grant));
}

/// <summary>Spending the grantee reported and finance accepted (EUR at the donor rate), and the share of the funds
/// received it must reach.</summary>
public sealed record ReportedSpend(Money Accepted, decimal Threshold);

/// <summary>
/// The payment (recorded, or submitted for a second person's approval when at or above the programme's threshold) and
/// the override that let it through a hold when there was one.
/// </summary>
public sealed record DisbursementDecision(object Payment, IReadOnlyList<object> Overrides)
{
    public HoldOverridden? Override => Overrides.OfType<HoldOverridden>().FirstOrDefault();
    public IEnumerable<object> Events => [.. Overrides, Payment];
    public bool AwaitsApproval => Payment is DisbursementSubmittedForApproval;

    /// <summary>The four-eyes rule that held the payment for a second person, if one did.</summary>
    public string? Rule => (Payment as DisbursementSubmittedForApproval)?.Rule;
    public DisbursementRecorded Recorded => Payment as DisbursementRecorded
        ?? throw new InvalidOperationException("The payment awaits approval; nothing was recorded as paid yet.");
}

public static class RecordDisbursementDecision
{
    /// <param name="programmeWindow">The value date must lie in the programme's window as well as the grant's.</param>
    /// <param name="hold">Overdue milestones of this grantee on any of its grants.</param>
    /// <param name="approval">From the threshold a second person must approve the payment, alone or added to the grant's
    /// payments recorded (paid or awaiting approval) within the window before <see cref="RecordDisbursement.RecordedAt"/>;
    /// null: never.</param>
    /// <param name="books">The programme's closed months: a value date in one is refused.</param>
    /// <param name="spend">Accepted reported spending (donor rate) and the share of funds received it must reach before a
    /// tranche after the first is paid; null: the rule does not apply.</param>
    public static Result<DisbursementDecision> Decide(Grant grant, DateWindow programmeWindow, RecordDisbursement cmd, GranteeHold hold,
        Programmes.ApprovalRules? approval = null, ReportedSpend? spend = null, Programmes.BookPeriods? books = null)
    {
        if (grant.AwardState != AwardStatus.Approved)
        {
            return grant.AwardState == AwardStatus.Rejected ? DomainErrors.AwardRejected() : DomainErrors.AwardAwaitingApproval();
        }

        if (cmd.Currency is { } currency && currency != grant.Currency)
        {
            return DomainErrors.CurrencyMismatch(grant.Currency, currency);
        }

        if (cmd.PaymentRequestId is { } requestId)
        {
            // The payment settles a request of this grant that is still open, for the tranche it asked for.
            switch (grant.FindPaymentRequest(requestId))
            {
                case null:
                    return PaymentRequestErrors.Unknown(requestId);
                case { IsOpen: false } settled:
                    return PaymentRequestErrors.NotOpen(settled);
                case { TrancheId: var asked } when cmd.TrancheId != asked:
                    return PaymentRequestErrors.TrancheMismatch(requestId);
            }
        }

        return Money.Positive(cmd.Amount, grant.Currency).Then<DisbursementDecision>(amount =>
        {
            if (!programmeWindow.Contains(cmd.ValueDate) || !grant.Window.Contains(cmd.ValueDate))
            {
                return DomainErrors.OutsideWindow(
                    $"The value date {cmd.ValueDate:uuuu-MM-dd} must lie inside the grant window {grant.Window} " +
                    $"and the programme window {programmeWindow}.");
            }

            if (books?.Refusal(cmd.ValueDate) is { } closed)
            {
                return closed;
            }

            if (hold.IsOnHold && string.IsNullOrWhiteSpace(cmd.OverrideReason))
            {
                return DomainErrors.GranteeOnHold(grant.Grantee, hold.OverdueMilestones.Select(m => m.Title));
            }

            if (CheckTranche(grant, cmd.TrancheId, amount) is { } trancheError)
            {
                return trancheError;
            }

            var overrides = new List<object>();
            if (spend is not null && grant.FindTranche(cmd.TrancheId ?? Guid.Empty) is { Number: > 1 } && grant.Disbursed.Amount > 0m)
            {
                var required = Currencies.Valuation.Eur(grant.Disbursed.Amount * spend.Threshold);
                if (spend.Accepted < required)
                {
                    if (string.IsNullOrWhiteSpace(cmd.OverrideReason))
                    {
                        return new DomainError("insufficient-reported-spend",
                            $"Accepted spending is {spend.Accepted}; before a further tranche it must reach {spend.Threshold:P0} of the " +
                            $"{grant.Disbursed} received, that is {required}. Pay only with an override and a reason.");
                    }

                    overrides.Add(new ReportedSpendRuleOverridden(grant.Id, cmd.DisbursementId, spend.Accepted, required, cmd.OverrideReason.Trim()));
                }
            }

            if (amount > grant.Remaining)
            {
                return DomainErrors.GrantExceeded(amount, grant.Remaining);
            }

            object payment = FourEyesRuleFor(grant, amount, cmd.RecordedAt, approval) is { } rule
                ? new DisbursementSubmittedForApproval(grant.Id, grant.ProgrammeId, cmd.DisbursementId, amount,
                    cmd.ValueDate, cmd.BankReference, cmd.Note, cmd.TrancheId, cmd.RecordedBy, cmd.RecordedAt, rule,
                    PaymentRequestId: cmd.PaymentRequestId, BankAccountId: cmd.BankAccountId)
                : new DisbursementRecorded(grant.Id, grant.ProgrammeId, cmd.DisbursementId, amount,
                    cmd.ValueDate, cmd.BankReference, cmd.Note, cmd.TrancheId, cmd.RecordedAt, PaymentRequestId: cmd.PaymentRequestId, BankAccountId: cmd.BankAccountId);
            if (hold.IsOnHold)
            {
                overrides.Insert(0, new HoldOverridden(grant.Id, cmd.DisbursementId, grant.Grantee,
                    hold.OverdueMilestones.Select(m => m.Id).ToList(), cmd.OverrideReason!.Trim()));
            }

            return new DisbursementDecision(payment, overrides);
        });
    }

    /// <summary>
    /// Which rule asks for a second person, if any. The window is counted back from the time the payment is recorded,
    /// not from value dates: the recorder types the value date and could spread it to dodge the window.
    /// </summary>
    public static string? FourEyesRuleFor(Grant grant, Money amount, Instant recordedAt, Programmes.ApprovalRules? approval)
    {
        if (approval is null)
        {
            return null;
        }

        if (amount >= approval.Threshold)
        {
            return Programmes.FourEyesRule.SinglePayment;
        }

        var recent = grant.CommittedSince(recordedAt - Duration.FromDays(approval.WindowDays));
        return amount + recent >= approval.Threshold ? Programmes.FourEyesRule.CumulativeWindow : null;
    }

    /// <summary>The tranche rules of a payment (named when the grant has a plan, known, open, not overpaid); a payment
    /// request is checked against them too.</summary>
    public static DomainError? CheckTranche(Grant grant, Guid? trancheId, Money amount)
    {
        if (trancheId is null)
        {
            // Without this, leaving the tranche out would walk around every milestone gate.
            return grant.Tranches.IsEmpty ? null : DomainErrors.TrancheRequired();
        }

        if (grant.FindTranche(trancheId.Value) is not { } tranche)
        {
            return DomainErrors.TrancheNotFound(trancheId.Value);
        }

        if (grant.IsLocked(tranche))
        {
            return DomainErrors.TrancheLocked(tranche.Number, grant.FindMilestone(tranche.MilestoneId!.Value)?.Title ?? "?");
        }

        var remaining = tranche.Amount - grant.CommittedAgainst(tranche.Id);
        return amount > remaining ? DomainErrors.TrancheExceeded(tranche.Number, amount, remaining) : null;
    }
}
