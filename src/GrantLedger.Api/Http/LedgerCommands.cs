using GrantLedger.Api.Notifications;
using GrantLedger.Domain;
using GrantLedger.Domain.Grants;
using Wolverine.Marten;
using Marten;
using Wolverine;

namespace GrantLedger.Api.Http;

/// <summary>
/// A command the API and the web UI both send through Wolverine (<c>IMessageBus.InvokeAsync&lt;CommandOutcome&gt;</c>): one
/// handler per command, which Wolverine's aggregate workflow feeds with the loaded stream and whose returned events it
/// appends and commits. Who sent it and why travel with it and are stamped on every event by <see cref="StampCommandMetadata"/>.
/// </summary>
public interface ILedgerCommand
{
    RequestMetadata Metadata { get; }

    /// <summary>The reason recorded on the events, if the command carries one.</summary>
    string? Reason { get; }
}

/// <summary>A command on one grant's stream.</summary>
public interface IGrantCommand : ILedgerCommand
{
    Guid GrantId { get; }

    /// <summary>The version the user saw; another one loaded is a 409.</summary>
    long? ExpectedVersion { get; }
}

/// <summary>The steps every grant command handler takes around its decision.</summary>
public static class GrantCommands
{
    /// <summary>
    /// The grant loaded by the aggregate workflow, checked (unknown or another organisation's grant for a grantee user: 404;
    /// a stale version: 409), then the pure decision; its events go back to Wolverine to append.
    /// </summary>
    public static (CommandOutcome, Events) Decide<TEvent>(IGrantCommand command, Grant? grant, Func<Grant, Result<TEvent>> decide,
        Func<long, object>? body = null) where TEvent : notnull =>
        Decide(command, grant, decide, body is null ? null : (_, version) => body(version));

    /// <inheritdoc cref="Decide{TEvent}(IGrantCommand, Grant?, Func{Grant, Result{TEvent}}, Func{long, object}?)"/>
    public static (CommandOutcome, Events) Decide<TEvent>(IGrantCommand command, Grant? grant, Func<Grant, Result<TEvent>> decide,
        Func<TEvent, long, object>? body) where TEvent : notnull
    {
        if (Refusal(command, grant) is { } refused)
        {
            return (refused, []);
        }

        var decision = decide(grant!);
        if (!decision.IsSuccess)
        {
            return (CommandOutcome.Refused(decision.Error!), []);
        }

        Events events = decision.Value is IEnumerable<object> many ? [.. many] : [decision.Value];
        var version = grant!.Version + events.Count;
        return (new CommandOutcome(null, version, body?.Invoke(decision.Value, version)), events);
    }

    /// <summary>Why the command cannot go to its decision at all, if it cannot.</summary>
    public static CommandOutcome? Refusal(IGrantCommand command, Grant? grant) =>
        grant is null || (command.Metadata.Grantee is { } organisation && grant.OrganisationId != organisation)
            ? CommandOutcome.NotFound("grant", command.GrantId)
            : CommandOutcome.StaleUnless(command.ExpectedVersion, grant.Version, "grant");
}

/// <summary>A command's answer: accepted (with the stream version after it and the body to answer with), or the problem that refused it.</summary>
public sealed record CommandOutcome(IResult? Problem, long Version = 0, object? Body = null)
{
    public bool Accepted => Problem is null;

    public static CommandOutcome Done(long version) => new(null, version);
    public static CommandOutcome Refused(DomainError error) => new(Problems.From(error));
    public static CommandOutcome NotFound(string what, Guid id) => new(Problems.NotFound(what, id));

    /// <summary>The user saw another version than the one loaded: the 409 the API promises for a stale form.</summary>
    public static CommandOutcome? StaleUnless(long? expected, long actual, string what) =>
        expected is { } seen && seen != actual
            ? new(Problems.VersionConflict($"You saw version {seen} of this {what}; it is now at version {actual}. Reload it and try again."))
            : null;

    /// <summary>The HTTP answer for a restatement: the problem, or <c>200</c> with the body.</summary>
    public IResult ToOk() => Problem ?? Results.Ok(Body ?? new VersionResponse(Version));

    /// <summary>The HTTP answer: the problem, or <c>201</c> at <paramref name="location"/> with the new version.</summary>
    public IResult ToCreated(string location) => Problem ?? Results.Created(location, Body ?? new VersionResponse(Version));
}

/// <summary>Wolverine middleware on every <see cref="ILedgerCommand"/> handler: one place stamps actor, role, reason and correlation.</summary>
public static class StampCommandMetadata
{
    public static void Before(Envelope envelope, IDocumentSession session)
    {
        if (envelope.Message is ILedgerCommand command)
        {
            session.RecordedBy(command.Metadata, command.Reason);
        }
    }
}

/// <summary>Sends a stored notification beyond the feed, after the command that stored it committed (durable outbox);
/// handled by <c>Notifications.DeliverNotificationHandler</c>.</summary>
public sealed record DeliverNotification(Guid NotificationId);

public static class LedgerCommandBus
{
    /// <summary>
    /// Sends the command through its one handler and hands its outcome to <paramref name="answer"/>. The reason is stamped on
    /// every event the command records, so it is bounded here too (<see cref="InputLimits.Reason"/>), whoever sent it.
    /// </summary>
    public static async Task<IResult> Send(this IMessageBus bus, ILedgerCommand command, Func<CommandOutcome, IResult> answer, CancellationToken cancellation)
    {
        if (command is IGrantCommand { GrantId: var id } && id == Guid.Empty)
        {
            Operations.LedgerMetrics.CommandRefused(command, "not-found");
            return Problems.NotFound("grant", id);
        }

        if (new RequestCheck().MaxLength("reason", command.Reason, InputLimits.Reason) is { HasErrors: true } tooLong)
        {
            Operations.LedgerMetrics.CommandRefused(command, "malformed-request");
            return Results.Problem(tooLong.Result());
        }

        // One span and one count per command, whatever sent it (API or web UI): the door is the one place they pass.
        using var activity = Operations.LedgerMetrics.Activities.StartActivity("command " + command.GetType().Name);
        activity?.SetTag(Operations.TelemetryConfiguration.CorrelationAttribute, command.Metadata.CorrelationId);
        activity?.SetTag(Operations.TelemetryConfiguration.UserAttribute, command.Metadata.UserId);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        CommandOutcome? outcome = null;
        try
        {
            outcome = await Invoke(bus, command, cancellation);
            return answer(outcome);
        }
        finally
        {
            Operations.LedgerMetrics.CommandDone(command, outcome, System.Diagnostics.Stopwatch.GetElapsedTime(started), activity);
        }
    }

    /// <summary>A commit refused by the closed-period guard in the database (ADR 0015) is the same 422 as the decision's.</summary>
    private static async Task<CommandOutcome> Invoke(IMessageBus bus, ILedgerCommand command, CancellationToken cancellation)
    {
        try
        {
            return await bus.InvokeAsync<CommandOutcome>(command, cancellation);
        }
        catch (Exception ex) when (Programmes.PeriodGuard.ClosedMonthOf(ex) is { } month)
        {
            return CommandOutcome.Refused(DomainErrors.PeriodClosed(month));
        }
    }

    /// <summary>Sends the command through its one handler and answers as the API does. The empty id names no stream.</summary>
    public static Task<IResult> Send(this IMessageBus bus, ILedgerCommand command, string location, CancellationToken cancellation) =>
        bus.Send(command, outcome => outcome.ToCreated(location), cancellation);
}
