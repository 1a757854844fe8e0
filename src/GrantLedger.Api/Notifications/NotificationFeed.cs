using System.Security.Cryptography;
using System.Text;
using GrantLedger.Api.Identity;
using Marten;
using Microsoft.AspNetCore.Authorization;
using NodaTime;
using Wolverine.Http;

namespace GrantLedger.Api.Notifications;

/// <summary>A message for people (grantee and finance), kept in the feed whatever else delivers it.</summary>
/// <remarks>
/// The id is derived from what it is about, so a redelivered reminder is stored once. <see cref="Message"/> is the feed's
/// English line; e-mail is written in each recipient's language from <see cref="Facts"/> (the figures as recorded).
/// </remarks>
/// <param name="OrganisationId">The organisation whose users a grantee notice is for (<paramref name="Grantee"/> is its name, for the text).</param>
/// <param name="Audience">Who it is for: <see cref="NotificationAudience.Grantee"/> (the grantee organisation's users),
/// <see cref="NotificationAudience.Approvers"/> (approvers other than <paramref name="ExcludedUserId"/>), or
/// <see cref="NotificationAudience.Requester"/> (the one user <paramref name="RecipientUserId"/>).</param>
public sealed record Notification(
    Guid Id,
    Instant At,
    string Kind,
    Guid GrantId,
    string Grantee,
    Guid? MilestoneId,
    string Message,
    string Audience = NotificationAudience.Grantee,
    string? ExcludedUserId = null,
    string? RecipientUserId = null,
    NotificationFacts? Facts = null,
    Guid? OrganisationId = null)
{
    public static Guid IdFor(string kind, Guid grantId, Guid? milestoneId, string discriminator) =>
        new(SHA256.HashData(Encoding.UTF8.GetBytes($"{kind}/{grantId}/{milestoneId}/{discriminator}")).AsSpan(0, 16));
}

/// <summary>What a notification is about, as recorded: the e-mail renders these in the recipient's language and culture.</summary>
/// <param name="GrantTitle">The grant's title.</param>
/// <param name="Title">The milestone's title, or what else the notice is about.</param>
/// <param name="Amount">The payment's amount.</param>
/// <param name="Date">A due date or a value date.</param>
/// <param name="Text">A reason or note, as the person wrote it.</param>
/// <param name="Reference">A bank reference, a report's file name.</param>
/// <param name="PaymentsOnHold">The notice also means payments to the grantee stop (a milestone sent back after its deadline).</param>
public sealed record NotificationFacts(
    string? GrantTitle = null, string? Title = null, GrantLedger.Domain.Money? Amount = null, LocalDate? Date = null, string? Text = null,
    string? Reference = null, bool PaymentsOnHold = false);

/// <summary>Who a notification is for (<see cref="Notification.Audience"/>).</summary>
public static class NotificationAudience
{
    public const string Grantee = "grantee";
    public const string Approvers = "approvers";
    public const string Requester = "requester";

    /// <summary>Finance users (a grantee's payment request waits for them).</summary>
    public const string Finance = "finance";
}

/// <summary>Delivers notifications beyond the feed (e-mail and the like). Replace the registration to plug one in.</summary>
public interface INotificationSender
{
    Task SendAsync(Notification notification, CancellationToken cancellation);
}

/// <summary>The default: the feed is the delivery; the log keeps a line for operators.</summary>
public sealed class LogNotificationSender(ILogger<LogNotificationSender> logger) : INotificationSender
{
    public Task SendAsync(Notification notification, CancellationToken cancellation)
    {
        logger.LogInformation("Notification {Kind} for {Grantee}: {Message}", notification.Kind, notification.Grantee, notification.Message);
        return Task.CompletedTask;
    }
}

public static class NotificationFeedEndpoint
{
    /// <summary>The newest notifications first, optionally for one grant; a grantee sees only its own.</summary>
    [Authorize(Policy = Policies.ReadGrants)]
    [WolverineGet("/api/notifications")]
    public static async Task<IReadOnlyList<Notification>> Get(IQuerySession session, Guid? grantId, int? limit, System.Security.Claims.ClaimsPrincipal principal)
    {
        var user = CurrentUser.From(principal);
        var query = session.Query<Notification>().AsQueryable();
        if (user.IsGrantee)
        {
            // Staff-only notices (approvals, reports) name the grantee too; they are not the grantee's to read.
            query = query.Where(n => n.OrganisationId == user.OrganisationId &&
                (n.Audience == null || n.Audience == NotificationAudience.Grantee)); // none: stored before audiences existed
        }

        if (grantId is { } id)
        {
            query = query.Where(n => n.GrantId == id);
        }

        return await query.OrderByDescending(n => n.At).Take(Math.Clamp(limit ?? 100, 1, 500)).ToListAsync();
    }
}
