using Marten;

namespace GrantLedger.Api.Notifications;

public static class NotificationsRegistration
{
    /// <summary>The notification feed, read per grant, and the e-mail deliveries.</summary>
    public static StoreOptions AddNotifications(this StoreOptions opts)
    {
        opts.Schema.For<Notification>().Index(n => n.GrantId);
        opts.Schema.For<MailDelivery>().Index(d => d.NotificationId).Index(d => d.CreatedAt);
        return opts;
    }

    /// <summary>
    /// The default sender only logs; a deployment may register its own <see cref="INotificationSender"/>. E-mail is sent
    /// when <c>GrantLedger:Mail:Enabled</c> is true; settings that cannot work stop the start.
    /// </summary>
    public static IServiceCollection AddNotifications(this IServiceCollection services, IConfiguration configuration)
    {
        var mail = configuration.GetSection(MailOptions.Section).Get<MailOptions>() ?? new MailOptions();
        if (mail.Problem() is { } problem)
        {
            throw new InvalidOperationException(problem);
        }

        services.Configure<MailOptions>(configuration.GetSection(MailOptions.Section));
        services.AddSingleton<MailTransport>();
        return services.AddSingleton<INotificationSender, LogNotificationSender>();
    }
}
