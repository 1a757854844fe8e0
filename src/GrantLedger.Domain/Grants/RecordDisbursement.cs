using NodaTime;

namespace GrantLedger.Domain.Grants;

public sealed record RecordDisbursement(
    Guid DisbursementId,
    decimal Amount,
    string? Currency,
    LocalDate ValueDate,
    string BankReference,
    string? Note);

public static class RecordDisbursementDecision
{
    /// <param name="programmeWindow">The value date must lie in the programme's window as well as the grant's.</param>
    public static Result<DisbursementRecorded> Decide(Grant grant, DateWindow programmeWindow, RecordDisbursement cmd)
    {
        if (cmd.Currency is { } currency && currency != grant.Currency)
        {
            return DomainErrors.CurrencyMismatch(grant.Currency, currency);
        }

        return Money.Positive(cmd.Amount, grant.Currency).Then<DisbursementRecorded>(amount =>
        {
            if (!programmeWindow.Contains(cmd.ValueDate) || !grant.Window.Contains(cmd.ValueDate))
            {
                return DomainErrors.OutsideWindow(
                    $"The value date {cmd.ValueDate:uuuu-MM-dd} must lie inside the grant window {grant.Window} " +
                    $"and the programme window {programmeWindow}.");
            }

            if (amount > grant.Remaining)
            {
                return DomainErrors.GrantExceeded(amount, grant.Remaining);
            }

            return new DisbursementRecorded(grant.Id, grant.ProgrammeId, cmd.DisbursementId, amount, cmd.ValueDate,
                cmd.BankReference, cmd.Note);
        });
    }
}
