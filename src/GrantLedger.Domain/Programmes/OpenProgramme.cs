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
    Budgets.BudgetRules? BudgetRules = null,
    int? ApprovalWindowDays = null);

public static class OpenProgrammeDecision
{
    public static Result<ProgrammeOpened> Decide(OpenProgramme cmd)
    {
        return Money.Positive(cmd.Allocation, cmd.Currency).Then<ProgrammeOpened>(allocation =>
        {
            ApprovalRules? rules = null;
            if (cmd.ApprovalThreshold is { } value)
            {
                // A threshold above the allocation (or a window of years) would switch four eyes off without saying so.
                var checkedRules = ApprovalRules.Create(value, cmd.ApprovalWindowDays, allocation);
                if (!checkedRules.IsSuccess)
                {
                    return checkedRules.Error!;
                }

                rules = checkedRules.Value;
            }

            return DateWindow.Create(cmd.WindowStart, cmd.WindowEnd).Then<ProgrammeOpened>(window =>
                new ProgrammeOpened(cmd.ProgrammeId, cmd.Code, cmd.Name, cmd.Currency, allocation,
                    window.Start, window.End, cmd.TimeZone, rules?.Threshold, cmd.BudgetRules, rules?.WindowDays));
        });
    }
}
