using System.Security.Claims;
using GrantLedger.Domain.Grants;
using NodaTime;

namespace GrantLedger.Api.Identity;

/// <summary>The roles of the ledger. An approver is a finance user who may also approve (holds both roles).</summary>
public static class Roles
{
    public const string Finance = "finance";
    public const string Approver = "approver";
    public const string Grantee = "grantee";
    public const string Auditor = "auditor";
    public const string Admin = "admin";

    public static readonly IReadOnlySet<string> All = new HashSet<string> { Finance, Approver, Grantee, Auditor, Admin };
}

/// <summary>A person who signs in. A grantee user is bound to one organisation by its id (<see cref="GranteeOrganisationId"/>)
/// and sees only its grants; <see cref="GranteeOrganisation"/> keeps the organisation's name as bound, for people to read.</summary>
public sealed record UserAccount(
    Guid Id,
    string Email,
    string DisplayName,
    string PasswordHash,
    IReadOnlyList<string> Roles,
    string? GranteeOrganisation,
    int FailedSignIns = 0,
    Instant? LockedUntil = null,
    bool Disabled = false,
    string SecurityStamp = "",
    bool MustChangePassword = false,
    string? ExternalIssuer = null,
    string? ExternalSubject = null,
    string Language = Languages.English,
    bool NonEssentialMail = true,
    Guid? GranteeOrganisationId = null)
{
    public static string Normalise(string email) => email.Trim().ToLowerInvariant();

    /// <summary>A fresh stamp: sessions and tokens issued under the old one stop working at their next revalidation.</summary>
    public static string NewStamp() => Guid.NewGuid().ToString("N");
}

/// <summary>The languages the ledger speaks to people in (pages, e-mail, grantee PDFs); the API stays culture-invariant.</summary>
public static class Languages
{
    public const string English = "en";
    public const string Russian = "ru";

    public static readonly IReadOnlyList<string> All = [English, Russian];

    /// <summary>A supported language code, or English for anything else (old documents, unknown codes).</summary>
    public static string Supported(string? code) =>
        All.FirstOrDefault(l => string.Equals(l, code?.Trim(), StringComparison.OrdinalIgnoreCase)) ?? English;
}

public static class LedgerClaims
{
    /// <summary>The grantee user's organisation id (never its name: two organisations may share one).</summary>
    public const string GranteeOrganisation = "grantee_org";

    /// <summary>The user's <see cref="UserAccount.SecurityStamp"/> when the session or token was issued.</summary>
    public const string SecurityStamp = "stamp";

    /// <summary>When the person signed in (Unix seconds): the absolute session lifetime counts from here, not from renewal.</summary>
    public const string SignedInAt = "signed_in_at";

    /// <summary>A session that may only change its one-time password (no roles).</summary>
    public const string PasswordChangeOnly = "password_change_only";

    /// <summary>The user's <see cref="UserAccount.Language"/>: the pages' language for this session.</summary>
    public const string Language = "lang";
}

/// <summary>The signed-in user as the endpoints need them.</summary>
public sealed record CurrentUser(string Id, string Email, IReadOnlyList<string> Roles, Guid? OrganisationId)
{
    public bool IsGrantee => Roles.Contains(Identity.Roles.Grantee);

    /// <summary>Staff see every grant; a grantee sees only its organisation's grants, compared by id (a grant not yet
    /// bound to an organisation is nobody's).</summary>
    public bool CanSee(Grant grant) => !IsGrantee || (OrganisationId is { } own && grant.OrganisationId == own);

    public string PrimaryRole => Roles.FirstOrDefault() ?? "none";

    public static CurrentUser From(ClaimsPrincipal principal) =>
        new(principal.FindFirstValue(ClaimTypes.NameIdentifier) ?? "anonymous",
            principal.FindFirstValue(ClaimTypes.Email) ?? principal.Identity?.Name ?? "anonymous",
            principal.FindAll(ClaimTypes.Role).Select(c => c.Value).ToList(),
            Guid.TryParse(principal.FindFirstValue(LedgerClaims.GranteeOrganisation), out var organisation) ? organisation : null);

    /// <summary>The same session in another language: every claim kept (the sign-in time too, so the session ends when it would have).</summary>
    public static ClaimsPrincipal WithLanguage(ClaimsPrincipal principal, string language)
    {
        var identity = principal.Identity as ClaimsIdentity ?? new ClaimsIdentity();
        return new(new ClaimsIdentity(
            [.. identity.Claims.Where(c => c.Type != LedgerClaims.Language).Select(c => new Claim(c.Type, c.Value)), new Claim(LedgerClaims.Language, Languages.Supported(language))],
            identity.AuthenticationType, ClaimTypes.Name, ClaimTypes.Role));
    }

    /// <summary>
    /// The session's claims: who, roles, the security stamp and the sign-in time. A user who must change a one-time
    /// password gets no roles at all, only <see cref="LedgerClaims.PasswordChangeOnly"/>.
    /// </summary>
    public static ClaimsPrincipal Principal(UserAccount user, string authenticationType, Instant signedInAt) =>
        new(new ClaimsIdentity(
            [
                new Claim(ClaimTypes.NameIdentifier, user.Id.ToString()),
                new Claim(ClaimTypes.Email, user.Email),
                new Claim(ClaimTypes.Name, user.DisplayName),
                new Claim(LedgerClaims.SecurityStamp, user.SecurityStamp),
                new Claim(LedgerClaims.SignedInAt, signedInAt.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture)),
                new Claim(LedgerClaims.Language, Languages.Supported(user.Language)),
                .. user.MustChangePassword
                    ? [new Claim(LedgerClaims.PasswordChangeOnly, "true")]
                    : user.Roles.Select(r => new Claim(ClaimTypes.Role, r)),
                .. !user.MustChangePassword && user.GranteeOrganisationId is { } org ? [new Claim(LedgerClaims.GranteeOrganisation, org.ToString())] : Array.Empty<Claim>(),
            ],
            authenticationType, ClaimTypes.Name, ClaimTypes.Role));
}
