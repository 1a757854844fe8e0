using GrantLedger.Domain.Programmes;
using NodaTime;

namespace GrantLedger.Domain.Grants;

public sealed record AwardGrant(
    Guid GrantId,
    string Grantee,
    IReadOnlyList<string> Countries,
    string Title,
    decimal Amount,
    string? Currency,
    LocalDate WindowStart,
    LocalDate WindowEnd,
    IReadOnlyList<AddTranche>? Tranches = null,
    string AwardedBy = "system",
    Guid? OrganisationId = null);

/// <summary>All facts of an award: the programme's commitment and the start of the grant's own stream (with, at or
/// above the threshold, the award's submission for a second person's approval).</summary>
public sealed record GrantAward(GrantCommitted Commitment, GrantAwarded Award, IReadOnlyList<TrancheAdded> Tranches,
    GrantAwardSubmittedForApproval? Pending = null)
{
    public bool AwaitsApproval => Pending is not null;
    public IReadOnlyList<object> GrantEvents => Pending is null ? [Award, .. Tranches] : [Award, .. Tranches, Pending];
}

public static class AwardGrantDecision
{
    public static Result<GrantAward> Decide(Programme programme, AwardGrant cmd)
    {
        if (cmd.Currency is { } currency && currency != programme.Currency)
        {
            return DomainErrors.CurrencyMismatch(programme.Currency, currency);
        }

        return Money.Positive(cmd.Amount, programme.Currency).Then(amount =>
            DateWindow.Create(cmd.WindowStart, cmd.WindowEnd).Then<GrantAward>(window =>
            {
                if (!programme.Window.Contains(window))
                {
                    return DomainErrors.OutsideWindow(
                        $"The grant window {window} must lie inside the programme window {programme.Window}.");
                }

                if (amount > programme.Uncommitted)
                {
                    return DomainErrors.AllocationExceeded(amount, programme.Uncommitted);
                }

                var awarded = new GrantAwarded(cmd.GrantId, programme.Id, cmd.Grantee, cmd.Countries, cmd.Title, amount,
                    window.Start, window.End, programme.TimeZone, cmd.OrganisationId);
                var grant = Grant.Start(awarded);
                var tranches = new List<TrancheAdded>();
                foreach (var tranche in cmd.Tranches ?? [])
                {
                    var added = AddTrancheDecision.Decide(grant, tranche);
                    if (!added.IsSuccess)
                    {
                        return added.Error!;
                    }

                    tranches.Add(added.Value);
                    grant = grant.Evolve(added.Value);
                }

                // The commitment is recorded either way, so two pending awards can never together oversubscribe the allocation.
                var pending = programme.Approval is { } rules && amount >= rules.Threshold
                    ? new GrantAwardSubmittedForApproval(cmd.GrantId, programme.Id, amount, cmd.AwardedBy)
                    : null;
                return new GrantAward(new GrantCommitted(programme.Id, cmd.GrantId, cmd.Grantee, amount), awarded, tranches, pending);
            }));
    }
}
