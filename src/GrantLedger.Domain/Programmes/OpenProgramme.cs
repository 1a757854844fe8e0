using NodaTime;

namespace GrantLedger.Domain.Programmes;

public sealed record OpenProgramme(
    Guid ProgrammeId,
    string Code,
    string Name,
    string Currency,
    decimal Allocation,
    LocalDate WindowStart,
    LocalDate WindowEnd,
    string TimeZone,
    decimal? ApprovalThreshold = null,
    Budgets.BudgetRules? BudgetRules = null);

public static class OpenProgrammeDecision
{
    public static Result<ProgrammeOpened> Decide(OpenProgramme cmd)
    {
        Money? threshold = null;
        if (cmd.ApprovalThreshold is { } value)
        {
            var checkedThreshold = Money.Positive(value, cmd.Currency);
            if (!checkedThreshold.IsSuccess)
            {
                return checkedThreshold.Error!;
            }

            threshold = checkedThreshold.Value;
        }

        return Money.Positive(cmd.Allocation, cmd.Currency).Then(allocation =>
            DateWindow.Create(cmd.WindowStart, cmd.WindowEnd).Then<ProgrammeOpened>(window =>
                new ProgrammeOpened(cmd.ProgrammeId, cmd.Code, cmd.Name, cmd.Currency, allocation,
                    window.Start, window.End, cmd.TimeZone, threshold, cmd.BudgetRules)));
    }
}
