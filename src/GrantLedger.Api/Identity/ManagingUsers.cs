using GrantLedger.Api.Http;
using GrantLedger.Domain;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Wolverine;
using Wolverine.Http;

namespace GrantLedger.Api.Identity;

/// <param name="GranteeOrganisationId">For a grantee user: the organisation (<c>GET /api/organisations</c>) whose grants it sees.</param>
public sealed record CreateUserRequest(string Email, string DisplayName, string Password, IReadOnlyList<string> Roles, Guid? GranteeOrganisationId = null)
{
    /// <summary>Never prints the password (the request travels inside <see cref="AddUserCommand"/>, which may be logged).</summary>
    public override string ToString() =>
        $"CreateUserRequest {{ Email = {Email}, DisplayName = {DisplayName}, Roles = [{string.Join(", ", Roles)}], GranteeOrganisationId = {GranteeOrganisationId} }}";
}

/// <summary>A user was added with these roles (and, for a grantee, bound to this organisation: its name as then, and its id).</summary>
public sealed record UserAdded(Guid UserId, string Email, IReadOnlyList<string> Roles, string? GranteeOrganisation, Guid? GranteeOrganisationId = null);

public sealed record UserView(Guid Id, string Email, string DisplayName, IReadOnlyList<string> Roles, string? GranteeOrganisation, bool Locked,
    bool Disabled = false, bool MustChangePassword = false, bool ExternalLoginBound = false, Guid? GranteeOrganisationId = null)
{
    public static UserView From(UserAccount u) => new(u.Id, u.Email, u.DisplayName, u.Roles, u.GranteeOrganisation, u.LockedUntil is not null,
        u.Disabled, u.MustChangePassword, u.ExternalSubject is not null, u.GranteeOrganisationId);
}

public static class UserAdministration
{
    public const int MinimumPasswordLength = UserRules.MinimumPasswordLength;

    public static ProblemDetails Validate(CreateUserRequest? request) =>
        request is null ? RequestCheck.Body(request).Result() : new RequestCheck()
            .Text("email", request.Email, InputLimits.Email)
            .That(request.Email?.Contains('@') == true, "email", "must be an e-mail address.")
            .Text("displayName", request.DisplayName, InputLimits.Name)
            .Password("password", request.Password)
            .RolesOf(request.Roles, request.GranteeOrganisationId)
            .Result();

    /// <summary>Adds a user and binds a grantee user to their organisation (the grantee name on its grants).</summary>
    [Authorize(Policy = Policies.ManageUsers)]
    [WolverinePost("/api/users")]
    public static Task<IResult> Post(CreateUserRequest request, IMessageBus bus, HttpContext context) =>
        bus.Send(new AddUserCommand(request, RequestMetadata.From(context)),
            outcome => outcome.ToCreated(outcome.Body is UserView user ? $"/api/users/{user.Id}" : "/api/users"), context.RequestAborted);

    /// <summary>Stages the new user on the session; null when the e-mail is taken. Also how the seeder and the tests set users up.</summary>
    /// <exception cref="ArgumentException">The grantee organisation does not exist (the handler checks it first).</exception>
    public static async Task<UserAccount?> Create(IDocumentSession session, IPasswordHasher<UserAccount> hasher, CreateUserRequest request,
        string language = Languages.English)
    {
        var email = UserAccount.Normalise(request.Email);
        if (await session.Query<UserAccount>().AnyAsync(u => u.Email == email))
        {
            return null;
        }

        var roles = request.Roles.Distinct().ToList();
        var organisation = roles.Contains(Roles.Grantee) && request.GranteeOrganisationId is { } id
            ? await session.LoadAsync<GrantLedger.Domain.Organisations.Organisation>(id)
                ?? throw new ArgumentException($"There is no organisation {id}.", nameof(request))
            : null;
        var user = new UserAccount(Guid.NewGuid(), email, request.DisplayName.Trim(), "", roles,
            organisation?.ShortName, SecurityStamp: UserAccount.NewStamp(), Language: Languages.Supported(language),
            GranteeOrganisationId: organisation?.Id);
        user = user with { PasswordHash = hasher.HashPassword(user, request.Password) };
        session.Insert(user);
        // Who may do what is part of the audit trail too (never the password hash).
        session.Events.StartStream(user.Id, new UserAdded(user.Id, user.Email, user.Roles, user.GranteeOrganisation, user.GranteeOrganisationId));
        return user;
    }

    public static readonly DomainError UnknownOrganisation =
        new("unknown-organisation", "There is no such organisation: register it first (POST /api/organisations).");
}

/// <summary>An administrator adds a user (the password is hashed by the handler and never stored or recorded in clear).</summary>
public sealed record AddUserCommand(CreateUserRequest User, RequestMetadata Metadata) : ILedgerCommand
{
    public string Reason => "user created";
}

public static class AddUserHandler
{
    public static async Task<CommandOutcome> Handle(AddUserCommand command, IDocumentSession session, IPasswordHasher<UserAccount> hasher)
    {
        if (command.User.Roles.Contains(Roles.Grantee) && command.User.GranteeOrganisationId is { } organisation
            && await session.LoadAsync<GrantLedger.Domain.Organisations.Organisation>(organisation) is null)
        {
            return CommandOutcome.Refused(UserAdministration.UnknownOrganisation);
        }

        return await UserAdministration.Create(session, hasher, command.User) is { } created
            ? new CommandOutcome(null, Body: UserView.From(created))
            : CommandOutcome.Refused(new("user-exists", $"A user with e-mail {command.User.Email} already exists."));
    }
}

/// <summary>Its own class: Wolverine applies a class's Validate method to every endpoint in it.</summary>
public static class UserListEndpoint
{
    [Authorize(Policy = Policies.ManageUsers)]
    [WolverineGet("/api/users")]
    public static async Task<IReadOnlyList<UserView>> List(IQuerySession session) =>
        (await session.Query<UserAccount>().OrderBy(u => u.Email).ToListAsync()).Select(UserView.From).ToList();
}

/// <summary>Creates the first administrator from settings when there is none, so a new installation can be administered.</summary>
public sealed class AdministratorBootstrap(IDocumentStore store, IPasswordHasher<UserAccount> hasher, IOptions<AuthOptions> options,
    ILogger<AdministratorBootstrap> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var (email, password) = (options.Value.BootstrapAdminEmail, options.Value.BootstrapAdminPassword);
        if (string.IsNullOrWhiteSpace(email) || string.IsNullOrWhiteSpace(password))
        {
            return;
        }

        await using var session = store.LightweightSession();
        if (await session.Query<UserAccount>().AnyAsync(u => u.Roles.Contains(Roles.Admin), cancellationToken))
        {
            return;
        }

        await UserAdministration.Create(session, hasher, new CreateUserRequest(email, "Administrator", password, [Roles.Admin]));
        await session.SaveChangesAsync(cancellationToken);
        logger.LogInformation("Created the first administrator {Email}", email);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
