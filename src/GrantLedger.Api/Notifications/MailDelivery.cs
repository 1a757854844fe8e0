using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using GrantLedger.Api.Http;
using GrantLedger.Api.Identity;
using MailKit.Net.Smtp;
using MailKit.Security;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using MimeKit;
using NodaTime;
using Npgsql;
using Wolverine;
using Wolverine.Http;

namespace GrantLedger.Api.Notifications;

/// <summary>Send one notification to one person by e-mail (a durable local message: it survives a crash and a restart).</summary>
public sealed record SendNotificationMail(Guid NotificationId, Guid UserId);

public enum MailDeliveryStatus
{
    /// <summary>An attempt started and has not ended (or its node died during it).</summary>
    Sending,
    Sent,

    /// <summary>The last attempt failed; <see cref="MailDelivery.LastError"/> says why. Retried unless the server refused for good.</summary>
    Failed,

    /// <summary>Not sent on purpose: <see cref="MailDelivery.SkippedBecause"/>.</summary>
    Skipped,
}

/// <summary>
/// The record of one notification's e-mail to one person, and its idempotency record: its id is derived from the
/// notification and the recipient, so however often the message is delivered there is one record, and one e-mail once it
/// says <see cref="MailDeliveryStatus.Sent"/>.
/// </summary>
public sealed record MailDelivery(
    Guid Id,
    Guid NotificationId,
    Guid UserId,
    string To,
    string Kind,
    string Language,
    Guid GrantId,
    Instant CreatedAt,
    MailDeliveryStatus Status,
    int Attempts = 0,
    Instant? LastAttemptAt = null,
    Instant? SentAt = null,
    string? LastError = null,
    string? SkippedBecause = null)
{
    public static Guid IdFor(Guid notificationId, Guid userId) =>
        new(SHA256.HashData(Encoding.UTF8.GetBytes($"mail/{notificationId}/{userId}")).AsSpan(0, 16));
}

/// <summary>The SMTP server could not take the message now (down, unreachable, busy, a 4xx answer): try again later.</summary>
public sealed class MailServerUnavailableException(string message, Exception inner) : Exception(message, inner);

/// <summary>Who receives a notification by e-mail, decided when it is delivered and checked again before each send.</summary>
public static class NotificationRecipients
{
    public static async Task<IReadOnlyList<UserAccount>> For(IQuerySession session, Notification notification, CancellationToken cancellation)
    {
        IReadOnlyList<UserAccount> candidates = notification.Audience switch
        {
            NotificationAudience.Approvers => await session.Query<UserAccount>()
                .Where(u => !u.Disabled && u.Roles.Contains(Roles.Approver)).ToListAsync(cancellation),
            NotificationAudience.Finance => await session.Query<UserAccount>()
                .Where(u => !u.Disabled && u.Roles.Contains(Roles.Finance)).ToListAsync(cancellation),
            NotificationAudience.Requester => Guid.TryParse(notification.RecipientUserId, out var id) &&
                await session.LoadAsync<UserAccount>(id, cancellation) is { } requester ? [requester] : [],
            _ => await session.Query<UserAccount>()
                .Where(u => !u.Disabled && u.GranteeOrganisationId == notification.OrganisationId).ToListAsync(cancellation),
        };
        return [.. candidates.Where(u => WhyNot(notification, u) is null).OrderBy(u => u.Email, StringComparer.Ordinal)];
    }

    /// <summary>Why this person must not receive it (any more), or null. A grantee's mail goes to its own organisation's users only.</summary>
    public static string? WhyNot(Notification notification, UserAccount user) =>
        user.Disabled ? "disabled"
        : notification.Audience switch
        {
            NotificationAudience.Approvers when !user.Roles.Contains(Roles.Approver) => "not-an-approver",
            NotificationAudience.Approvers when user.Id.ToString() == notification.ExcludedUserId => "proposer",
            NotificationAudience.Approvers => null,
            NotificationAudience.Finance => user.Roles.Contains(Roles.Finance) ? null : "not-finance",
            NotificationAudience.Requester => user.Id.ToString() == notification.RecipientUserId ? null : "not-the-requester",
            _ => user.Roles.Contains(Roles.Grantee) && notification.OrganisationId is { } organisation && user.GranteeOrganisationId == organisation
                ? null : "not-the-grantee",
        };
}

/// <summary>
/// A stored notification goes beyond the feed: the log line (<see cref="INotificationSender"/>), and, when mail is on, one
/// <see cref="SendNotificationMail"/> per recipient, cascaded through the durable local queue.
/// </summary>
public static class DeliverNotificationHandler
{
    public static async Task<OutgoingMessages> Handle(DeliverNotification message, IQuerySession session, INotificationSender sender,
        IOptions<MailOptions> mail, CancellationToken cancellation)
    {
        var messages = new OutgoingMessages();
        if (await session.LoadAsync<Notification>(message.NotificationId, cancellation) is not { } notification)
        {
            return messages;
        }

        await sender.SendAsync(notification, cancellation);
        if (mail.Value.Enabled)
        {
            messages.AddRange((await NotificationRecipients.For(session, notification, cancellation))
                .Select(u => new SendNotificationMail(notification.Id, u.Id)));
        }

        return messages;
    }
}

/// <summary>
/// Sends one notification's e-mail to one person, at most once per (notification, person) as far as SMTP allows
/// (docs/internals.md, "E-mail"): under a PostgreSQL advisory lock on the delivery (so two nodes, or a duplicate message,
/// never send it side by side), the attempt is recorded before the send and the outcome after it; a delivery already
/// sent or skipped is not sent again. A crash between the server's acceptance and the record of it sends once more when
/// the message is recovered: at least once, never silently lost.
/// </summary>
public static class SendNotificationMailHandler
{
    public static async Task Handle(SendNotificationMail message, IDocumentStore store, NpgsqlDataSource database, MailTransport transport,
        IOptions<MailOptions> options, IClock clock, ILogger<SendNotificationMail> logger, CancellationToken cancellation)
    {
        var id = MailDelivery.IdFor(message.NotificationId, message.UserId);
        await using var connection = await database.OpenConnectionAsync(cancellation);
        var key = BitConverter.ToInt64(id.ToByteArray(), 0);
        if (!await Advisory(connection, "pg_try_advisory_lock", key, cancellation))
        {
            // Another node (or a duplicate of this message) is sending it right now; if that attempt fails, its own message is retried.
            logger.LogInformation("Mail {Delivery} is being sent elsewhere; this copy stops", id);
            return;
        }

        try
        {
            await using var session = store.LightweightSession();
            var delivery = await session.LoadAsync<MailDelivery>(id, cancellation);
            if (delivery is { Status: MailDeliveryStatus.Sent or MailDeliveryStatus.Skipped })
            {
                return;
            }

            var notification = await session.LoadAsync<Notification>(message.NotificationId, cancellation);
            var user = await session.LoadAsync<UserAccount>(message.UserId, cancellation);
            if (notification is null || user is null)
            {
                return;
            }

            var now = clock.GetCurrentInstant();
            delivery ??= new MailDelivery(id, notification.Id, user.Id, user.Email, notification.Kind, Languages.Supported(user.Language),
                notification.GrantId, now, MailDeliveryStatus.Sending);
            var skipped = NotificationRecipients.WhyNot(notification, user)
                ?? (!user.NonEssentialMail && !NotificationKinds.IsEssential(notification.Kind) ? "opted-out" : null);
            if (skipped is not null)
            {
                session.Store(delivery with { Status = MailDeliveryStatus.Skipped, SkippedBecause = skipped });
                await session.SaveChangesAsync(cancellation);
                return;
            }

            // Before the send: the attempt is on record whatever happens next.
            delivery = delivery with
            {
                Status = MailDeliveryStatus.Sending, Attempts = delivery.Attempts + 1, LastAttemptAt = now, To = user.Email,
                Language = Languages.Supported(user.Language),
            };
            session.Store(delivery);
            await session.SaveChangesAsync(cancellation);

            try
            {
                await transport.SendAsync(MailComposer.Compose(notification, user, id, options.Value, now), cancellation);
            }
            catch (Exception ex) when (MailTransport.Failure(ex) is { } failure)
            {
                Operations.LedgerMetrics.MailFailed();
                session.Store(delivery with { Status = MailDeliveryStatus.Failed, LastError = failure.Error });
                await session.SaveChangesAsync(CancellationToken.None);
                if (failure.Transient)
                {
                    logger.LogWarning("Mail {Delivery} ({Kind}) not sent, attempt {Attempt}: {Error}; retrying", id, notification.Kind, delivery.Attempts,
                        failure.Error);
                    throw new MailServerUnavailableException(failure.Error, ex);
                }

                logger.LogError("Mail {Delivery} ({Kind}) refused by the server for good: {Error}", id, notification.Kind, failure.Error);
                return;
            }

            // After the send.
            Operations.LedgerMetrics.MailSent();
            session.Store(delivery with { Status = MailDeliveryStatus.Sent, SentAt = clock.GetCurrentInstant(), LastError = null });
            await session.SaveChangesAsync(CancellationToken.None);
        }
        finally
        {
            await Advisory(connection, "pg_advisory_unlock", key, CancellationToken.None);
        }
    }

    private static async Task<bool> Advisory(NpgsqlConnection connection, string function, long key, CancellationToken cancellation)
    {
        await using var command = new NpgsqlCommand($"select {function}($1)", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = key });
        return await command.ExecuteScalarAsync(cancellation) is true;
    }
}

/// <summary>MailKit over SMTP, as <see cref="MailOptions"/> say. A connection per message: notices are few.</summary>
public sealed class MailTransport(IOptions<MailOptions> options)
{
    public async Task SendAsync(MimeMessage message, CancellationToken cancellation)
    {
        var o = options.Value;
        using var client = new SmtpClient();
        client.Timeout = o.TimeoutSeconds * 1000;
        await client.ConnectAsync(o.Host, o.Port, o.Security switch
        {
            MailSecurity.None => SecureSocketOptions.None,
            MailSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
            _ => SecureSocketOptions.StartTls,
        }, cancellation);
        if (!string.IsNullOrEmpty(o.UserName))
        {
            await client.AuthenticateAsync(o.UserName, o.Password ?? "", cancellation);
        }

        await client.SendAsync(message, cancellation);
        await client.DisconnectAsync(true, cancellation);
    }

    /// <summary>What went wrong, and whether trying later can help; null for what is not a mail failure (a bug, a shutdown).</summary>
    public static (string Error, bool Transient)? Failure(Exception ex)
    {
        var error = $"{ex.GetType().Name}: {ex.Message}";
        error = error.Length > 500 ? error[..500] : error;
        return ex switch
        {
            // 5xx: the server will not take this message or recipient, now or later.
            SmtpCommandException { StatusCode: var code } when (int)code >= 500 => (error, false),
            SmtpCommandException or SmtpProtocolException or MailKit.ServiceNotConnectedException or MailKit.Security.AuthenticationException
                or System.Security.Authentication.AuthenticationException or SocketException or IOException or TimeoutException => (error, true),
            _ => null,
        };
    }
}

public sealed record MailDeliveryPage(IReadOnlyList<MailDelivery> Deliveries);

public static class MailDeliveriesEndpoint
{
    /// <summary>The e-mail deliveries, newest first (at most 500): to whom, which notice, language, attempts, the last error.</summary>
    [Authorize(Policy = Policies.ManageUsers)]
    [WolverineGet("/api/mail/deliveries")]
    public static async Task<IResult> Get(IQuerySession session, string? status, Guid? notificationId, int? limit, CancellationToken cancellation)
    {
        var query = session.Query<MailDelivery>().AsQueryable();
        if (status is not null)
        {
            if (!Enum.TryParse<MailDeliveryStatus>(status, ignoreCase: true, out var wanted) || int.TryParse(status, out _))
            {
                return Results.Problem(new RequestCheck().That(false, "status", "must be one of sending, sent, failed, skipped.").Result());
            }

            query = query.Where(d => d.Status == wanted);
        }

        if (notificationId is { } id)
        {
            query = query.Where(d => d.NotificationId == id);
        }

        var deliveries = await query.OrderByDescending(d => d.CreatedAt).Take(Math.Clamp(limit ?? 100, 1, 500)).ToListAsync(cancellation);
        return Results.Ok(new MailDeliveryPage(deliveries));
    }
}
