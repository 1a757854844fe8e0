using GrantLedger.Api.Http;
using GrantLedger.Api.Notifications;
using GrantLedger.Domain.Grants;
using GrantLedger.Domain.Milestones;
using Marten;
using Microsoft.Extensions.Options;
using NodaTime;
using Wolverine;

namespace GrantLedger.Api.Milestones;

/// <summary>Sent to ourselves for the moment a milestone's deadline passes (durable: stored in PostgreSQL).</summary>
public sealed record MilestoneDeadlineReached(Guid GrantId, Guid MilestoneId);

/// <summary>Sent to ourselves for the moment the grantee should be reminded of a coming deadline.</summary>
public sealed record MilestoneReminderDue(Guid GrantId, Guid MilestoneId);

/// <summary>Schedules the deadline check and the reminder when a milestone is planned.</summary>
/// <remarks>
/// Delays are measured on the injected <see cref="IClock"/>: the message is delivered after that much real time, and
/// its handler decides against the clock again, so a clock that runs differently (a test's fake clock) still works.
/// </remarks>
public static class MilestoneSchedule
{
    public static async Task ScheduleAsync(IMessageBus bus, MilestonePlanned planned, Instant now, MilestoneOptions options)
    {
        await ScheduleAt(bus, new MilestoneDeadlineReached(planned.GrantId, planned.MilestoneId), planned.Deadline, now);

        var remindAt = planned.Deadline - Duration.FromDays(options.ReminderDaysBefore);
        if (now < planned.Deadline)
        {
            await ScheduleAt(bus, new MilestoneReminderDue(planned.GrantId, planned.MilestoneId), remindAt, now);
        }
    }

    public static Task ScheduleAt<T>(IMessageBus bus, T message, Instant at, Instant now) where T : notnull =>
        at > now ? bus.ScheduleAsync(message, (at - now).ToTimeSpan()).AsTask() : bus.PublishAsync(message).AsTask();
}

public static class MilestoneDeadlineHandler
{
    private static readonly RequestMetadata Ledger = new("ledger", "milestone-deadline");

    public static async Task Handle(MilestoneDeadlineReached message, IDocumentSession session, IMessageBus bus, IClock clock,
        CancellationToken cancellation)
    {
        var stream = await session.Events.FetchForWriting<Grant>(message.GrantId, cancellation);
        if (stream.Aggregate is not { } grant)
        {
            return;
        }

        var now = clock.GetCurrentInstant();
        var check = MilestoneDeadlineDecision.Decide(grant, message.MilestoneId, now);
        Operations.LedgerMetrics.DeadlineChecked(check switch
        {
            DeadlineCheck.NotYet => "not-yet",
            DeadlineCheck.Overdue => "overdue",
            _ => "nothing-to-do",
        }, check is DeadlineCheck.Overdue overdueNow ? (now - overdueNow.Event.Deadline).ToTimeSpan() : TimeSpan.Zero);
        switch (check)
        {
            case DeadlineCheck.NotYet notYet:
                // Only when the clock disagrees with the scheduler (a changed or fake clock): look again then.
                await MilestoneSchedule.ScheduleAt(bus, message, notYet.Deadline, now);
                await session.SaveChangesAsync(cancellation); // commits the outbox, which stores the scheduled message
                return;
            case DeadlineCheck.Overdue overdue:
                var milestone = grant.FindMilestone(message.MilestoneId)!;
                session.RecordedBy(Ledger, $"Deadline {overdue.Event.DueDate:uuuu-MM-dd} passed without a delivery");
                stream.AppendOne(overdue.Event);
                var notification = new Notification(
                    Notification.IdFor(NotificationKinds.MilestoneOverdue, grant.Id, milestone.Id, milestone.DueDate.ToString()),
                    now, NotificationKinds.MilestoneOverdue, grant.Id, grant.Grantee, milestone.Id,
                    $"\"{milestone.Title}\" was due on {milestone.DueDate:uuuu-MM-dd} and is overdue. " +
                    "Payments to the grantee are on hold until it is delivered.",
                    Facts: new NotificationFacts(grant.Title, milestone.Title, Date: milestone.DueDate), OrganisationId: grant.OrganisationId);
                session.Store(notification);
                // Delivered beyond the feed once this commits (the outbox): a crash in between loses nothing.
                await bus.PublishAsync(new DeliverNotification(notification.Id));
                await session.SaveChangesAsync(cancellation);
                return;
        }
    }
}

public static class MilestoneReminderHandler
{
    public static async Task Handle(MilestoneReminderDue message, IDocumentSession session, IMessageBus bus, IClock clock,
        IOptions<MilestoneOptions> options, CancellationToken cancellation)
    {
        var grant = await session.LoadAsync<Grant>(message.GrantId, cancellation);
        var milestone = grant?.FindMilestone(message.MilestoneId);
        var now = clock.GetCurrentInstant();
        if (grant is null || milestone is not { AwaitsDelivery: true } || now >= milestone.Deadline)
        {
            return;
        }

        var notification = new Notification(
            Notification.IdFor(NotificationKinds.MilestoneReminder, grant.Id, milestone.Id, milestone.DueDate.ToString()),
            now, NotificationKinds.MilestoneReminder, grant.Id, grant.Grantee, milestone.Id,
            $"Reminder: \"{milestone.Title}\" is due on {milestone.DueDate:uuuu-MM-dd} " +
            $"(within {options.Value.ReminderDaysBefore} days).",
            Facts: new NotificationFacts(grant.Title, milestone.Title, Date: milestone.DueDate), OrganisationId: grant.OrganisationId);
        session.Store(notification);
        await bus.PublishAsync(new DeliverNotification(notification.Id));
        await session.SaveChangesAsync(cancellation);
    }
}
