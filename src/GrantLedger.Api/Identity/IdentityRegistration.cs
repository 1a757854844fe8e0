using Marten;

namespace GrantLedger.Api.Identity;

public static class IdentityRegistration
{
    /// <summary>User accounts, one per e-mail address, and the security log. Sign-in, tokens and policies: Configuration/IdentityConfiguration.cs.</summary>
    public static StoreOptions AddIdentity(this StoreOptions opts)
    {
        // Optimistic concurrency: parallel wrong guesses each count (SigningIn.cs retries a lost race), and an
        // administrator's change never silently overwrites a concurrent one.
        opts.Schema.For<UserAccount>().UniqueIndex(u => u.Email).UseOptimisticConcurrency(true);
        opts.Schema.For<SecurityLogEntry>().Index(e => e.At).Index(e => e.UserId);
        return opts;
    }
}
