using System.Security.Cryptography;
using System.Text;
using GrantLedger.Api.Identity;
using Marten;
using Microsoft.AspNetCore.Authorization;
using NodaTime;
using Wolverine.Http;

namespace GrantLedger.Api.Notifications;

/// <summary>A message for people (grantee and finance), kept in the feed whatever else delivers it.</summary>
/// <remarks>The id is derived from what it is about, so a redelivered reminder is stored once.</remarks>
public sealed record Notification(
    Guid Id,
    Instant At,
    string Kind,
    Guid GrantId,
    string Grantee,
    Guid? MilestoneId,
    string Message)
{
    public static Guid IdFor(string kind, Guid grantId, Guid? milestoneId, string discriminator) =>
        new(SHA256.HashData(Encoding.UTF8.GetBytes($"{kind}/{grantId}/{milestoneId}/{discriminator}")).AsSpan(0, 16));
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
            query = query.Where(n => n.Grantee == user.GranteeOrganisation);
        }

        if (grantId is { } id)
        {
            query = query.Where(n => n.GrantId == id);
        }

        return await query.OrderByDescending(n => n.At).Take(Math.Clamp(limit ?? 100, 1, 500)).ToListAsync();
    }
}
