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
    string TimeZone);

public static class OpenProgrammeDecision
{
    public static Result<ProgrammeOpened> Decide(OpenProgramme cmd) =>
        Money.Positive(cmd.Allocation, cmd.Currency).Then(allocation =>
            DateWindow.Create(cmd.WindowStart, cmd.WindowEnd).Then<ProgrammeOpened>(window =>
                new ProgrammeOpened(cmd.ProgrammeId, cmd.Code, cmd.Name, cmd.Currency, allocation,
                    window.Start, window.End, cmd.TimeZone)));
}
