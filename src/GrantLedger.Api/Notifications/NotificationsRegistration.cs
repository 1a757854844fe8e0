using Marten;

namespace GrantLedger.Api.Notifications;

public static class NotificationsRegistration
{
    /// <summary>The notification feed, read per grant.</summary>
    public static StoreOptions AddNotifications(this StoreOptions opts)
    {
        opts.Schema.For<Notification>().Index(n => n.GrantId);
        return opts;
    }

    /// <summary>The default sender only logs; a deployment registers its own <see cref="INotificationSender"/>.</summary>
    public static IServiceCollection AddNotifications(this IServiceCollection services) =>
        services.AddSingleton<INotificationSender, LogNotificationSender>();
}
