namespace GrantLedger.Api.Identity;

/// <summary>Settings under <c>GrantLedger:Auth</c>.</summary>
public sealed class AuthOptions
{
    public int TokenLifetimeMinutes { get; set; } = 60;
    /// <summary>Wrong passwords in a row before the account is locked (sign-in only; a locked user keeps every role).</summary>
    public int MaxFailedSignIns { get; set; } = 5;

    /// <summary>The first lockout lasts a minute; each further failure after it doubles it, up to this many minutes.</summary>
    public int LockoutMinutes { get; set; } = 15;

    /// <summary>A sign-in session ends this many hours after the sign-in, however often it was renewed.</summary>
    public int AbsoluteSessionHours { get; set; } = 12;

    /// <summary>
    /// How long a session's or token's check against the user's security stamp is trusted (at most 60 s): disabling a user,
    /// changing their roles or password revokes their sessions within this time.
    /// </summary>
    public int RevalidateSeconds { get; set; } = 60;

    /// <summary>First administrator, created at start when no administrator exists (take the password from a secret store).</summary>
    public string? BootstrapAdminEmail { get; set; }
    public string? BootstrapAdminPassword { get; set; }
}

/// <summary>
/// Settings under <c>GrantLedger:Oidc</c>: sign-in with an organisation's own identity provider. Off unless
/// <see cref="Authority"/> is set. The provider's user is matched to a ledger user by e-mail; roles stay in the ledger.
/// </summary>
public sealed class OidcOptions
{
    public string? Authority { get; set; }
    public string? ClientId { get; set; }
    public string? ClientSecret { get; set; }
    public string CallbackPath { get; set; } = "/signin-oidc";
    /// <summary>Scopes to request; empty means openid, profile and email. (A default array here would be appended to
    /// by configuration binding rather than replaced.)</summary>
    public string[] Scopes { get; set; } = [];

    public IReadOnlyList<string> EffectiveScopes => Scopes.Length > 0 ? Scopes : ["openid", "profile", "email"];
    public string DisplayName { get; set; } = "Organisation sign-in";

    public bool Enabled => !string.IsNullOrWhiteSpace(Authority) && !string.IsNullOrWhiteSpace(ClientId);
}
