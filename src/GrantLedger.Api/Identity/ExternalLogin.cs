using System.Security.Claims;
using GrantLedger.Api.Http;
using Marten;
using Wolverine;

namespace GrantLedger.Api.Identity;

/// <summary>The ledger user was bound to this identity at the organisation's provider (issuer and subject), on its first sign-in.</summary>
public sealed record UserExternalLoginBound(Guid UserId, string Issuer, string Subject);

/// <summary>What the provider asserted about the person, as the binding needs it.</summary>
public sealed record ExternalIdentity(string? Issuer, string? Subject, string? Email, bool EmailVerified)
{
    public static ExternalIdentity From(ClaimsPrincipal principal, string? tokenIssuer)
    {
        var subject = principal.FindFirst("sub") ?? principal.FindFirst(ClaimTypes.NameIdentifier);
        var email = principal.FindFirst("email")?.Value ?? principal.FindFirst(ClaimTypes.Email)?.Value;
        var verified = principal.FindFirst("email_verified")?.Value;
        return new(tokenIssuer ?? principal.FindFirst("iss")?.Value ?? subject?.Issuer, subject?.Value, email,
            string.Equals(verified, "true", StringComparison.OrdinalIgnoreCase));
    }
}

/// <summary>
/// Who an organisation sign-in is: a user already bound to the provider's issuer and subject is that user; otherwise
/// the user with the e-mail, only when the provider says the e-mail is verified and the user is not bound to another
/// identity (then they are bound now). The e-mail alone never signs in a bound user.
/// </summary>
public static class ExternalLoginDecision
{
    public sealed record Decision(UserAccount? User, bool Bind, string? Refusal);

    public static Decision Decide(ExternalIdentity identity, UserAccount? bound, UserAccount? byEmail)
    {
        if (string.IsNullOrWhiteSpace(identity.Issuer) || string.IsNullOrWhiteSpace(identity.Subject))
        {
            return new(null, false, "The identity provider did not say who you are (no issuer or subject).");
        }

        if (bound is not null)
        {
            return bound.Disabled ? new(null, false, "Your GrantLedger user is disabled.") : new(bound, false, null);
        }

        if (byEmail is null)
        {
            return new(null, false, "No GrantLedger user has your e-mail address; ask an administrator to add you.");
        }

        if (!identity.EmailVerified)
        {
            return new(null, false, "Your identity provider has not verified your e-mail address, so it cannot be linked to a GrantLedger user.");
        }

        if (byEmail.ExternalSubject is not null)
        {
            return new(null, false, "This GrantLedger user is already linked to another identity; ask an administrator.");
        }

        return byEmail.Disabled ? new(null, false, "Your GrantLedger user is disabled.") : new(byEmail, true, null);
    }
}

/// <summary>The OIDC handler's <c>OnTokenValidated</c>: looks the person up, binds on first sign-in (through the command), answers the user or why not.</summary>
public sealed class ExternalSignIn(IDocumentStore store, IMessageBus bus, SecurityLog log)
{
    public async Task<(UserAccount? User, string? Refusal)> Resolve(ExternalIdentity identity, string address, CancellationToken cancellation)
    {
        await using var session = store.QuerySession();
        var bound = identity.Issuer is null || identity.Subject is null ? null : await session.Query<UserAccount>()
            .FirstOrDefaultAsync(u => u.ExternalIssuer == identity.Issuer && u.ExternalSubject == identity.Subject, cancellation);
        var byEmail = bound is not null || identity.Email is null ? null : await session.Query<UserAccount>()
            .FirstOrDefaultAsync(u => u.Email == UserAccount.Normalise(identity.Email), cancellation);
        var decision = ExternalLoginDecision.Decide(identity, bound, byEmail);
        if (decision.User is not { } user)
        {
            await log.Record(SecurityLogKinds.ExternalSignInRefused, byEmail?.Id, byEmail?.Email, address, decision.Refusal ?? "", cancellation);
            return (null, decision.Refusal);
        }

        if (decision.Bind)
        {
            var outcome = await bus.InvokeAsync<CommandOutcome>(new BindExternalLoginCommand(user.Id, identity.Issuer!, identity.Subject!,
                new RequestMetadata(user.Email, Guid.NewGuid().ToString("N"), user.Id.ToString(), string.Join(",", user.Roles))), cancellation);
            if (!outcome.Accepted)
            {
                return (null, "This GrantLedger user is already linked to another identity; ask an administrator.");
            }
        }

        await log.Record(SecurityLogKinds.SignedIn, user.Id, user.Email, address, $"signed in through {identity.Issuer}", cancellation);
        return (user, null);
    }
}

public sealed record BindExternalLoginCommand(Guid UserId, string Issuer, string Subject, RequestMetadata Metadata) : ILedgerCommand
{
    public string Reason => "first organisation sign-in";
}

public static class BindExternalLoginHandler
{
    public static async Task<CommandOutcome> Handle(BindExternalLoginCommand command, IDocumentSession session)
    {
        if (await session.LoadAsync<UserAccount>(command.UserId) is not { } user)
        {
            return CommandOutcome.NotFound("user", command.UserId);
        }

        if (user.ExternalSubject is not null)
        {
            return user.ExternalIssuer == command.Issuer && user.ExternalSubject == command.Subject
                ? new(null)
                : CommandOutcome.Refused(new("already-bound", "This user is already linked to another identity."));
        }

        session.Store(user with { ExternalIssuer = command.Issuer, ExternalSubject = command.Subject });
        session.Events.Append(user.Id, new UserExternalLoginBound(user.Id, command.Issuer, command.Subject));
        return new(null);
    }
}
