using System.Security.Claims;
using GrantLedger.Api.Identity;
using Marten;
using Microsoft.Extensions.DependencyInjection;

namespace GrantLedger.Api.Tests;

/// <summary>The organisation sign-in's decision (OnTokenValidated), without an identity provider: as a provider's claims would arrive.</summary>
[Collection(LedgerCollection.Name)]
public class ExternalLoginTests(LedgerHost host) : FromStartOfTime(host.Clock)
{
    private const string Issuer = "https://login.ecaro.example/realms/iucn";

    private static ExternalIdentity Claims(string subject, string email, bool verified, string issuer = Issuer) =>
        ExternalIdentity.From(new ClaimsPrincipal(new ClaimsIdentity(
            [new Claim("sub", subject), new Claim("email", email), new Claim("email_verified", verified ? "true" : "false")], "oidc")), issuer);

    private async Task<(UserAccount? User, string? Refusal)> SignIn(ExternalIdentity identity)
    {
        using var scope = host.Host.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<ExternalSignIn>().Resolve(identity, "192.0.2.1", CancellationToken.None);
    }

    private async Task<string> NewUser()
    {
        var email = $"oidc-{Guid.NewGuid():N}@test.example";
        await host.AddUser(email, ["finance"], null);
        return email;
    }

    [Fact]
    public async Task the_first_sign_in_with_a_verified_email_binds_issuer_and_subject_and_later_ones_match_by_them()
    {
        var email = await NewUser();
        var first = await SignIn(Claims("subject-1", email, verified: true));
        Assert.Equal(email, first.User?.Email);

        // The provider's e-mail changed (or was reassigned): the binding still finds the same ledger user.
        var later = await SignIn(Claims("subject-1", "renamed@elsewhere.example", verified: false));
        Assert.Equal(email, later.User?.Email);

        await using var session = host.Store.QuerySession();
        var user = await session.Query<UserAccount>().SingleAsync(u => u.Email == email);
        Assert.Equal((Issuer, "subject-1"), (user.ExternalIssuer, user.ExternalSubject));
        var events = await session.Events.FetchStreamAsync(user.Id);
        Assert.Contains(events, e => e.Data is UserExternalLoginBound { Subject: "subject-1", Issuer: Issuer });
    }

    [Fact]
    public async Task an_unverified_email_does_not_bind()
    {
        var email = await NewUser();
        var attempt = await SignIn(Claims("subject-2", email, verified: false));
        Assert.Null(attempt.User);
        Assert.Contains("not verified", attempt.Refusal);
    }

    [Fact]
    public async Task another_subject_with_the_same_email_is_refused_once_the_user_is_bound()
    {
        var email = await NewUser();
        Assert.NotNull((await SignIn(Claims("subject-3", email, verified: true))).User);

        var impostor = await SignIn(Claims("someone-else", email, verified: true));
        var otherIssuer = await SignIn(Claims("subject-3", email, verified: true, issuer: "https://evil.example"));

        Assert.Null(impostor.User);
        Assert.Contains("already linked", impostor.Refusal);
        Assert.Null(otherIssuer.User);
    }

    [Fact]
    public void the_decision_refuses_a_disabled_user_and_claims_without_a_subject()
    {
        var user = new UserAccount(Guid.NewGuid(), "a@test.example", "A", "", ["finance"], null, Disabled: true);
        Assert.Null(ExternalLoginDecision.Decide(new ExternalIdentity(Issuer, "s", "a@test.example", true), null, user).User);
        Assert.Null(ExternalLoginDecision.Decide(new ExternalIdentity(Issuer, "s", "a@test.example", true), user, null).User);
        Assert.Null(ExternalLoginDecision.Decide(new ExternalIdentity(Issuer, null, "a@test.example", true), null, user with { Disabled = false }).User);
        Assert.True(ExternalLoginDecision.Decide(new ExternalIdentity(Issuer, "s", "a@test.example", true), null, user with { Disabled = false }).Bind);
    }
}
