using Marten;

namespace GrantLedger.Api.Identity;

public static class IdentityRegistration
{
    /// <summary>User accounts, one per e-mail address. Sign-in, tokens and policies: Configuration/IdentityConfiguration.cs.</summary>
    public static StoreOptions AddIdentity(this StoreOptions opts)
    {
        opts.Schema.For<UserAccount>().UniqueIndex(u => u.Email);
        return opts;
    }
}
