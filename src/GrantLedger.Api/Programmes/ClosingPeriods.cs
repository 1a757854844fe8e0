using GrantLedger.Api.Configuration;
using GrantLedger.Api.Http;
using GrantLedger.Api.Identity;
using GrantLedger.Domain;
using GrantLedger.Domain.Programmes;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using NodaTime;
using NodaTime.Text;
using Npgsql;
using Wolverine;
using Wolverine.Http;

namespace GrantLedger.Api.Programmes;

public sealed record ClosePeriodRequest(string? Note = null, long? ExpectedVersion = null);

public sealed record ReopenPeriodRequest(string Reason, long? ExpectedVersion = null);

public sealed record DecideReopeningRequest(string? Reason = null, long? ExpectedVersion = null);

/// <param name="Status"><c>closed</c>; for a reopening <c>awaiting-approval</c> (rule <c>period-reopening</c>), <c>reopened</c> or <c>rejected</c>.</param>
public sealed record PeriodAnswer(string Month, long Version, string Status, Guid? RequestId = null, string? Rule = null);

public sealed record ReopeningView(Guid Id, string Month, string Reason, string RequestedBy, string Status, string? DecidedBy, string? RejectionReason);

/// <summary>The programme's books: the closed months, and every request to reopen one (pending first).</summary>
public sealed record PeriodsResponse(Guid ProgrammeId, long Version, IReadOnlyList<string> Closed, IReadOnlyList<ReopeningView> Reopenings);

/// <summary>Finance closes a month of a programme's books.</summary>
public sealed record ClosePeriodCommand(Guid ProgrammeId, YearMonth Month, string? Note, long? ExpectedVersion, RequestMetadata Metadata) : ILedgerCommand
{
    public string? Reason => Note ?? $"books for {BookPeriods.Name(Month)} closed";
}

/// <summary>Finance asks to reopen a closed month; a second person decides.</summary>
public sealed record RequestReopeningCommand(Guid ProgrammeId, Guid RequestId, YearMonth Month, string Reason, long? ExpectedVersion, RequestMetadata Metadata)
    : ILedgerCommand;

/// <summary>A second person (finance or approver, never the requester) approves or rejects reopening a month.</summary>
public sealed record DecideReopeningCommand(Guid ProgrammeId, Guid RequestId, bool Approve, string? Note, long? ExpectedVersion, RequestMetadata Metadata)
    : ILedgerCommand
{
    public string? Reason => Note ?? (Approve ? "reopening approved" : "reopening rejected");
}

/// <summary>Hand-written loading like the approval rules': programme commands have no aggregate workflow of their own (ADR 0010).</summary>
public static class ClosePeriodHandler
{
    public static async Task<CommandOutcome> Handle(ClosePeriodCommand command, IDocumentSession session, IClock clock)
    {
        var loaded = await session.ForWriting<Programme>(command.ProgrammeId, command.ExpectedVersion, "programme");
        if (loaded.Problem is not null)
        {
            return new CommandOutcome(loaded.Problem);
        }

        var programme = loaded.Aggregate;
        var today = clock.GetCurrentInstant().InZone(DateTimeZoneProviders.Tzdb[programme.TimeZone]).Date;
        var decision = BookPeriodDecisions.Close(programme, new ClosePeriod(command.Month, command.Note, command.Metadata.UserId), today);
        if (!decision.IsSuccess)
        {
            return CommandOutcome.Refused(decision.Error!);
        }

        session.LockPeriods(programme.Id);
        loaded.Stream.AppendOne(decision.Value);
        var version = loaded.NextVersion();
        return new CommandOutcome(null, version, new PeriodAnswer(BookPeriods.Name(command.Month), version, "closed"));
    }
}

public static class RequestReopeningHandler
{
    public static async Task<CommandOutcome> Handle(RequestReopeningCommand command, IDocumentSession session)
    {
        var loaded = await session.ForWriting<Programme>(command.ProgrammeId, command.ExpectedVersion, "programme");
        if (loaded.Problem is not null)
        {
            return new CommandOutcome(loaded.Problem);
        }

        var decision = BookPeriodDecisions.RequestReopening(loaded.Aggregate,
            new RequestPeriodReopening(command.RequestId, command.Month, command.Reason, command.Metadata.UserId));
        if (!decision.IsSuccess)
        {
            return CommandOutcome.Refused(decision.Error!);
        }

        loaded.Stream.AppendOne(decision.Value);
        var version = loaded.NextVersion();
        return new CommandOutcome(null, version,
            new PeriodAnswer(BookPeriods.Name(command.Month), version, "awaiting-approval", command.RequestId, FourEyesRule.PeriodReopening));
    }
}

public static class DecideReopeningHandler
{
    public static async Task<CommandOutcome> Handle(DecideReopeningCommand command, IDocumentSession session)
    {
        var loaded = await session.ForWriting<Programme>(command.ProgrammeId, command.ExpectedVersion, "programme");
        if (loaded.Problem is not null)
        {
            return new CommandOutcome(loaded.Problem);
        }

        var decision = BookPeriodDecisions.DecideReopening(loaded.Aggregate,
            new DecidePeriodReopening(command.RequestId, command.Approve, command.Metadata.UserId, command.Note));
        if (!decision.IsSuccess)
        {
            return CommandOutcome.Refused(decision.Error!);
        }

        loaded.Stream.AppendOne(decision.Value);
        var version = loaded.NextVersion();
        var month = loaded.Aggregate.Reopenings.First(r => r.RequestId == command.RequestId).Month;
        return new CommandOutcome(null, version, new PeriodAnswer(month, version, command.Approve ? "reopened" : "rejected", command.RequestId,
            FourEyesRule.PeriodReopening));
    }
}

public static class PeriodEndpoints
{
    /// <summary>A month in the route: <c>yyyy-MM</c> (Wolverine does not bind NodaTime from routes).</summary>
    public static ParseResult<YearMonth> Month(string month) => YearMonthPattern.Iso.Parse(month);

    private static IResult BadMonth(string month) =>
        Results.Problem(new RequestCheck().Add("month", $"must be a month as yyyy-MM; \"{month}\" is not.").Result());

    [Authorize(Policy = Policies.ReadProgrammes)]
    [WolverineGet("/api/programmes/{programmeId}/periods")]
    public static async Task<IResult> Get(Guid programmeId, IQuerySession session) =>
        await session.LoadAsync<Programme>(programmeId) is { } programme
            ? Results.Ok(PeriodsOf(programme))
            : Problems.NotFound("programme", programmeId);

    public static PeriodsResponse PeriodsOf(Programme programme) =>
        new(programme.Id, programme.Version, programme.ClosedMonths,
            programme.Reopenings.OrderBy(r => r.Status != ReopeningStatus.Requested).ThenByDescending(r => r.Month)
                .Select(r => new ReopeningView(r.RequestId, r.Month, r.Reason, r.RequestedBy, Status(r.Status), r.DecidedBy, r.RejectionReason)).ToList());

    public static string Status(ReopeningStatus status) => status switch
    {
        ReopeningStatus.Requested => "awaiting-approval",
        ReopeningStatus.Approved => "reopened",
        _ => "rejected",
    };

    public static ProblemDetails Validate(ClosePeriodRequest? request) =>
        new RequestCheck().MaxLength("note", request?.Note, InputLimits.Reason).ExpectedVersion(request?.ExpectedVersion).Result();

    [Authorize(Policy = Policies.Finance)]
    [WolverinePost("/api/programmes/{programmeId}/periods/{month}/close")]
    public static Task<IResult> Close(Guid programmeId, string month, ClosePeriodRequest? request, IMessageBus bus, HttpContext context) =>
        Month(month) is { Success: true } parsed
            ? bus.Send(new ClosePeriodCommand(programmeId, parsed.Value, string.IsNullOrWhiteSpace(request?.Note) ? null : request.Note.Trim(),
                request?.ExpectedVersion, RequestMetadata.From(context)), $"/api/programmes/{programmeId}/periods", context.RequestAborted)
            : Task.FromResult(BadMonth(month));
}

public static class RequestReopeningEndpoint
{
    public static ProblemDetails Validate(ReopenPeriodRequest? request) =>
        request is null ? RequestCheck.Body(request).Result() : RequestCheck.Reasoned(request.Reason, request.ExpectedVersion);

    [Authorize(Policy = Policies.Finance)]
    [WolverinePost("/api/programmes/{programmeId}/periods/{month}/reopen")]
    public static Task<IResult> Post(Guid programmeId, string month, ReopenPeriodRequest request, IMessageBus bus, HttpContext context) =>
        PeriodEndpoints.Month(month) is { Success: true } parsed
            ? bus.Send(new RequestReopeningCommand(programmeId, Guid.NewGuid(), parsed.Value, request.Reason.Trim(), request.ExpectedVersion,
                RequestMetadata.From(context)), $"/api/programmes/{programmeId}/periods", context.RequestAborted)
            : Task.FromResult(Results.Problem(new RequestCheck().Add("month", $"must be a month as yyyy-MM; \"{month}\" is not.").Result()));
}

public static class ApproveReopeningEndpoint
{
    public static ProblemDetails Validate(DecideReopeningRequest? request) =>
        request is null ? WolverineContinue.NoProblems : RequestCheck.Approval(request.Reason, request.ExpectedVersion, "reason");

    [Authorize(Policy = Policies.Approve)]
    [WolverinePost("/api/programmes/{programmeId}/periods/reopenings/{requestId}/approval")]
    public static Task<IResult> Post(Guid programmeId, Guid requestId, DecideReopeningRequest? request, IMessageBus bus, HttpContext context) =>
        bus.Send(new DecideReopeningCommand(programmeId, requestId, true, string.IsNullOrWhiteSpace(request?.Reason) ? null : request.Reason.Trim(),
            request?.ExpectedVersion, RequestMetadata.From(context)), $"/api/programmes/{programmeId}/periods", context.RequestAborted);
}

public static class RejectReopeningEndpoint
{
    public static ProblemDetails Validate(DecideReopeningRequest? request) =>
        request is null ? RequestCheck.Body(request).Result() : RequestCheck.Reasoned(request.Reason, request.ExpectedVersion);

    [Authorize(Policy = Policies.Approve)]
    [WolverinePost("/api/programmes/{programmeId}/periods/reopenings/{requestId}/rejection")]
    public static Task<IResult> Post(Guid programmeId, Guid requestId, DecideReopeningRequest request, IMessageBus bus, HttpContext context) =>
        bus.Send(new DecideReopeningCommand(programmeId, requestId, false, request.Reason!.Trim(), request.ExpectedVersion, RequestMetadata.From(context)),
            $"/api/programmes/{programmeId}/periods", context.RequestAborted);
}

/// <summary>
/// The database half of "nothing lands in a closed month" (ADR 0015). A command dated in a month queues this check into
/// its own transaction: it takes the programme's period lock shared (a transaction-scoped advisory lock: every payment
/// into the programme at once), then, in a statement of its own (so it sees what committed while it waited), fails if the
/// month is closed on the programme's snapshot row. Closing a month takes the same lock exclusively in its transaction:
/// so a close and a payment into the same programme are serialised by PostgreSQL, and whichever commits second sees the
/// first. A payment that committed first is in the month before it closed; one that waited sees the month closed and
/// rolls back (<c>422 period-closed</c>). Until 2-7/8 the check share-locked the programme's row itself, which wrote a
/// row lock (a multixact under concurrency) into the row on every payment and made every other writer of the programme
/// (an award, a rule change) wait for payments in flight; the advisory lock lives in memory and involves no one else.
/// </summary>
public static class PeriodGuard
{
    /// <summary>How the guard fails: PostgreSQL's "invalid input syntax for type integer" (Marten runs one statement per
    /// queued command, so no PL/pgSQL block can raise a code of our own), with <c>period-closed yyyy-MM</c> in its message.</summary>
    public const string SqlState = "22P02";
    private const string Marker = "period-closed ";

    /// <summary>The programme's period lock: "period" in its top bytes, the programme id's in the rest.</summary>
    public static long LockKey(Guid programmeId) => 0x706572696f640000L ^ BitConverter.ToInt64(programmeId.ToByteArray(), 8);

    /// <summary>What closing a month of the programme queues first: the period lock, exclusively.</summary>
    public static void LockPeriods(this IDocumentSession session, Guid programmeId) => Lock(session, programmeId, "pg_advisory_xact_lock");

    /// <summary>Takes the lock in an UPDATE of the programme's row that never matches (the lock functions answer void,
    /// never null): a queued command must be one statement answering no rows.</summary>
    private static void Lock(IDocumentSession session, Guid programmeId, string function) =>
        session.QueueSqlCommand($"update {session.DocumentStore.DocumentTable<Programme>()} set data = data " +
            $"where id = '{programmeId:D}' and {function}({LockKey(programmeId)}) is null");

    public static void GuardOpenPeriod(this IDocumentSession session, Guid programmeId, LocalDate date)
    {
        var table = session.DocumentStore.DocumentTable<Programme>();
        var member = MartenNames.Member(nameof(Programme.ClosedMonthList));
        // Both values are typed (a Guid, a formatted month): nothing a user typed reaches this text. The failing cast names
        // the row's id, so PostgreSQL cannot fold it into a constant and raise it when the month is open.
        var month = BookPeriods.Name(date.ToYearMonth());
        Lock(session, programmeId, "pg_advisory_xact_lock_shared");
        // An UPDATE that never matches (the sub-select answers 1 or fails): a queued command must not answer rows, which
        // Marten would read as another operation's result. Its own statement: it reads what committed before the lock.
        session.QueueSqlCommand($"update {table} set data = data where id = '{programmeId:D}' and (select case when " +
            $"jsonb_exists(coalesce(p.data -> '{member}', '[]'::jsonb), '{month}') then cast('{Marker}{month} ' || p.id::text as integer) " +
            $"else 1 end from {table} p where p.id = '{programmeId:D}') = 2");
    }

    /// <summary>Today in the grant's time zone: the day a reversal or a receipt is booked on.</summary>
    public static LocalDate Today(IClock clock, string timeZone) =>
        clock.GetCurrentInstant().InZone(DateTimeZoneProviders.Tzdb.GetZoneOrNull(timeZone) ?? DateTimeZone.Utc).Date;

    /// <summary>The closed month a failed commit ran into, if that is why it failed.</summary>
    public static YearMonth? ClosedMonthOf(Exception? ex)
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is PostgresException { SqlState: SqlState } closed && closed.MessageText.IndexOf(Marker, StringComparison.Ordinal) is var at and >= 0
                && closed.MessageText.Length >= at + Marker.Length + 7
                && YearMonthPattern.Iso.Parse(closed.MessageText.Substring(at + Marker.Length, 7)) is { Success: true } month)
            {
                return month.Value;
            }
        }

        return null;
    }

    public static DomainError Refusal(YearMonth month) => DomainErrors.PeriodClosed(month);
}
