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
    LocalDate WindowEnd);

/// <summary>Both facts of an award: the programme's commitment and the start of the grant's own stream.</summary>
public sealed record GrantAward(GrantCommitted Commitment, GrantAwarded Award);

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

                return new GrantAward(
                    new GrantCommitted(programme.Id, cmd.GrantId, cmd.Grantee, amount),
                    new GrantAwarded(cmd.GrantId, programme.Id, cmd.Grantee, cmd.Countries, cmd.Title, amount,
                        window.Start, window.End));
            }));
    }
}
