using System.Collections.Immutable;
using NodaTime;
using NodaTime.Text;

namespace GrantLedger.Domain.Programmes;

public enum ReopeningStatus
{
    Requested,
    Approved,
    Rejected,
}

/// <summary>A request to reopen a closed month, and what became of it.</summary>
public sealed record PeriodReopening(Guid RequestId, string Month, string Reason, string RequestedBy,
    ReopeningStatus Status = ReopeningStatus.Requested, string? DecidedBy = null, string? RejectionReason = null);

/// <summary>
/// The programme's closed months (<c>yyyy-MM</c>). Anything whose value date falls in one is refused; corrections of a
/// payment in a closed month are booked in an open one (a reversal on the day it is made).
/// </summary>
public sealed record BookPeriods(IReadOnlyCollection<string> Closed)
{
    public static readonly BookPeriods AllOpen = new([]);

    public static string Name(YearMonth month) => YearMonthPattern.Iso.Format(month);

    public bool IsClosed(YearMonth month) => Closed.Contains(Name(month));

    /// <summary>The refusal for a command dated <paramref name="date"/>, if its month is closed.</summary>
    public DomainError? Refusal(LocalDate date) => IsClosed(date.ToYearMonth()) ? DomainErrors.PeriodClosed(date.ToYearMonth()) : null;
}

public sealed record ClosePeriod(YearMonth Month, string? Note, string ClosedBy);

public sealed record RequestPeriodReopening(Guid RequestId, YearMonth Month, string Reason, string RequestedBy);

public sealed record DecidePeriodReopening(Guid RequestId, bool Approve, string DecidedBy, string? Reason = null);

/// <summary>Closing a month is finance's alone; reopening one takes a second person (four eyes), like the approval rules.</summary>
public static class BookPeriodDecisions
{
    /// <param name="today">Today in the programme's time zone: a month that has not ended cannot be closed.</param>
    public static Result<PeriodClosed> Close(Programme programme, ClosePeriod cmd, LocalDate today)
    {
        if (cmd.Month >= today.ToYearMonth())
        {
            return new DomainError("period-not-ended",
                $"{BookPeriods.Name(cmd.Month)} has not ended yet (today is {today:uuuu-MM-dd}): only a month that is over can be closed.");
        }

        if (cmd.Month < programme.WindowStart.ToYearMonth())
        {
            return new DomainError("period-outside-window",
                $"{BookPeriods.Name(cmd.Month)} is before the programme's window ({programme.Window}); there is nothing to close.");
        }

        if (programme.Books.IsClosed(cmd.Month))
        {
            return new DomainError("period-already-closed", $"The books for {BookPeriods.Name(cmd.Month)} are already closed.");
        }

        return new PeriodClosed(programme.Id, cmd.Month.Year, cmd.Month.Month, cmd.Note, cmd.ClosedBy);
    }

    public static Result<PeriodReopeningRequested> RequestReopening(Programme programme, RequestPeriodReopening cmd)
    {
        var name = BookPeriods.Name(cmd.Month);
        if (!programme.Books.IsClosed(cmd.Month))
        {
            return new DomainError("period-not-closed", $"The books for {name} are not closed; there is nothing to reopen.");
        }

        if (programme.Reopenings.Any(r => r.Month == name && r.Status == ReopeningStatus.Requested))
        {
            return new DomainError("reopening-pending", $"A request to reopen {name} already awaits a second person's approval.",
                Rule: FourEyesRule.PeriodReopening);
        }

        return new PeriodReopeningRequested(programme.Id, cmd.RequestId, cmd.Month.Year, cmd.Month.Month, cmd.Reason, cmd.RequestedBy);
    }

    public static Result<object> DecideReopening(Programme programme, DecidePeriodReopening cmd)
    {
        if (programme.Reopenings.FirstOrDefault(r => r.RequestId == cmd.RequestId) is not { } request)
        {
            return new DomainError("reopening-not-found", $"The programme has no request {cmd.RequestId} to reopen a month.", ErrorKind.NotFound);
        }

        if (request.Status != ReopeningStatus.Requested)
        {
            return new DomainError("not-awaiting-approval", $"The request to reopen {request.Month} is not awaiting approval.",
                Rule: FourEyesRule.PeriodReopening);
        }

        var month = YearMonthPattern.Iso.Parse(request.Month).Value;
        if (!cmd.Approve)
        {
            return new PeriodReopeningRejected(programme.Id, request.RequestId, month.Year, month.Month, cmd.Reason ?? "rejected", cmd.DecidedBy);
        }

        return request.RequestedBy == cmd.DecidedBy
            ? DomainErrors.SamePersonApproval(FourEyesRule.PeriodReopening)
            : new PeriodReopened(programme.Id, request.RequestId, month.Year, month.Month, cmd.DecidedBy);
    }

    internal static ImmutableList<PeriodReopening> With(ImmutableList<PeriodReopening> requests, Guid requestId,
        Func<PeriodReopening, PeriodReopening> change) =>
        requests.Select(r => r.RequestId == requestId ? change(r) : r).ToImmutableList();
}
