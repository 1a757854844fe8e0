using GrantLedger.Api.Http;
using GrantLedger.Domain;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Wolverine;
using Wolverine.Http;

namespace GrantLedger.Api.Identity;

// The user's stream records every change to who may do what, with actor and reason (never a password or hash).

/// <summary>An administrator disabled the user: no sign-in, and every session and token stops within a minute.</summary>
public sealed record UserDisabled(Guid UserId, string Reason);

/// <summary>An administrator enabled the user again (this also ends a lockout).</summary>
public sealed record UserEnabled(Guid UserId, string Reason);

/// <summary>An administrator changed the user's roles (and grantee organisation); existing sessions stop within a minute.</summary>
public sealed record UserRolesChanged(Guid UserId, IReadOnlyList<string> Roles, string? GranteeOrganisation, string Reason,
    Guid? GranteeOrganisationId = null);

/// <summary>An administrator set a one-time password the user must change at their next sign-in.</summary>
public sealed record UserPasswordReset(Guid UserId, string Reason);

/// <summary>The user changed their own password.</summary>
public sealed record UserPasswordChanged(Guid UserId);

public sealed record UserChangeRequest(string Reason);

/// <param name="GranteeOrganisationId">For a grantee user: the organisation whose grants it sees.</param>
public sealed record UserRolesRequest(IReadOnlyList<string> Roles, string Reason, Guid? GranteeOrganisationId = null);

public sealed record PasswordResetRequest(string OneTimePassword, string Reason)
{
    public override string ToString() => $"PasswordResetRequest {{ Reason = {Reason} }}";
}

public sealed record PasswordChangeRequest(string CurrentPassword, string NewPassword)
{
    public override string ToString() => "PasswordChangeRequest { }";
}

/// <summary>The caps and rules on what an administrator or a user sends about users.</summary>
public static class UserRules
{
    public const int MinimumPasswordLength = 10;
    public const int MaximumPasswordLength = InputLimits.Password;
    public const int MaxReasonLength = InputLimits.Reason;
    public const int MaxRoles = InputLimits.Roles;

    public static RequestCheck Password(this RequestCheck check, string field, string? password) =>
        check.That(password is { Length: >= MinimumPasswordLength and <= MaximumPasswordLength }, field,
            $"must be {MinimumPasswordLength} to {MaximumPasswordLength} characters.");

    public static RequestCheck Reason(this RequestCheck check, string? reason) => check.Text("reason", reason, MaxReasonLength);

    public static RequestCheck RolesOf(this RequestCheck check, IReadOnlyList<string>? roles, Guid? granteeOrganisationId) => check
        .That(roles is { Count: > 0 and <= MaxRoles } && roles.All(Roles.All.Contains), "roles",
            "must name one to five of finance, approver, grantee, auditor, admin.")
        .That(roles?.Contains(Roles.Grantee) != true || granteeOrganisationId is { } id && id != Guid.Empty,
            "granteeOrganisationId", "is required for a grantee user: it decides which grants they see.")
        .That(roles?.Contains(Roles.Grantee) != true || roles.Count == 1, "roles", "a grantee user holds no other role.");

    /// <summary>Would taking <paramref name="target"/> out of administration leave no enabled administrator?</summary>
    public static async Task<bool> IsLastAdmin(IQuerySession session, UserAccount target) =>
        target.Roles.Contains(Roles.Admin) && !target.Disabled &&
        !await session.Query<UserAccount>().AnyAsync(u => u.Id != target.Id && !u.Disabled && u.Roles.Contains(Roles.Admin));

    public static readonly DomainError LastAdmin = new("last-admin", "This is the last enabled administrator: add or enable another one first.");
}

/// <summary>What the user-changing commands share: the user, or the 404 for an unknown one.</summary>
public interface IUserCommand : ILedgerCommand
{
    Guid UserId { get; }
}

public sealed record DisableUserCommand(Guid UserId, string Reason, RequestMetadata Metadata) : IUserCommand
{
    string? ILedgerCommand.Reason => Reason;
}

public sealed record EnableUserCommand(Guid UserId, string Reason, RequestMetadata Metadata) : IUserCommand
{
    string? ILedgerCommand.Reason => Reason;
}

public sealed record ChangeUserRolesCommand(Guid UserId, IReadOnlyList<string> Roles, Guid? GranteeOrganisationId, string Reason,
    RequestMetadata Metadata) : IUserCommand
{
    string? ILedgerCommand.Reason => Reason;
}

public sealed record ResetUserPasswordCommand(Guid UserId, string OneTimePassword, string Reason, RequestMetadata Metadata) : IUserCommand
{
    string? ILedgerCommand.Reason => Reason;
    public override string ToString() => $"ResetUserPasswordCommand {{ UserId = {UserId}, Reason = {Reason} }}";
}

public sealed record ChangeOwnPasswordCommand(Guid UserId, string CurrentPassword, string NewPassword, RequestMetadata Metadata) : IUserCommand
{
    public string Reason => "password changed";
    public override string ToString() => $"ChangeOwnPasswordCommand {{ UserId = {UserId} }}";
}

public static class DisableUserHandler
{
    public static async Task<CommandOutcome> Handle(DisableUserCommand command, IDocumentSession session)
    {
        if (await session.LoadAsync<UserAccount>(command.UserId) is not { } user)
        {
            return CommandOutcome.NotFound("user", command.UserId);
        }

        if (user.Id.ToString() == command.Metadata.UserId)
        {
            return CommandOutcome.Refused(new("cannot-disable-self", "You cannot disable yourself; ask another administrator."));
        }

        if (user.Disabled)
        {
            return new(null, Body: UserView.From(user));
        }

        if (await UserRules.IsLastAdmin(session, user))
        {
            return CommandOutcome.Refused(UserRules.LastAdmin);
        }

        var changed = user with { Disabled = true, SecurityStamp = UserAccount.NewStamp() };
        session.Store(changed);
        session.Events.Append(user.Id, new UserDisabled(user.Id, command.Reason));
        return new(null, Body: UserView.From(changed));
    }
}

public static class EnableUserHandler
{
    public static async Task<CommandOutcome> Handle(EnableUserCommand command, IDocumentSession session)
    {
        if (await session.LoadAsync<UserAccount>(command.UserId) is not { } user)
        {
            return CommandOutcome.NotFound("user", command.UserId);
        }

        var changed = user with { Disabled = false, FailedSignIns = 0, LockedUntil = null };
        session.Store(changed);
        session.Events.Append(user.Id, new UserEnabled(user.Id, command.Reason));
        return new(null, Body: UserView.From(changed));
    }
}

public static class ChangeUserRolesHandler
{
    public static async Task<CommandOutcome> Handle(ChangeUserRolesCommand command, IDocumentSession session)
    {
        if (await session.LoadAsync<UserAccount>(command.UserId) is not { } user)
        {
            return CommandOutcome.NotFound("user", command.UserId);
        }

        var roles = command.Roles.Distinct().ToList();
        if (!roles.Contains(Roles.Admin) && await UserRules.IsLastAdmin(session, user))
        {
            return CommandOutcome.Refused(UserRules.LastAdmin);
        }

        var organisation = roles.Contains(Roles.Grantee) && command.GranteeOrganisationId is { } id
            ? await session.LoadAsync<GrantLedger.Domain.Organisations.Organisation>(id)
            : null;
        if (roles.Contains(Roles.Grantee) && organisation is null)
        {
            return CommandOutcome.Refused(UserAdministration.UnknownOrganisation);
        }

        var changed = user with
        {
            Roles = roles, GranteeOrganisation = organisation?.ShortName, GranteeOrganisationId = organisation?.Id, SecurityStamp = UserAccount.NewStamp(),
        };
        session.Store(changed);
        session.Events.Append(user.Id, new UserRolesChanged(user.Id, roles, organisation?.ShortName, command.Reason, organisation?.Id));
        return new(null, Body: UserView.From(changed));
    }
}

public static class ResetUserPasswordHandler
{
    public static async Task<CommandOutcome> Handle(ResetUserPasswordCommand command, IDocumentSession session, IPasswordHasher<UserAccount> hasher)
    {
        if (await session.LoadAsync<UserAccount>(command.UserId) is not { } user)
        {
            return CommandOutcome.NotFound("user", command.UserId);
        }

        var changed = user with
        {
            PasswordHash = hasher.HashPassword(user, command.OneTimePassword), MustChangePassword = true,
            SecurityStamp = UserAccount.NewStamp(), FailedSignIns = 0, LockedUntil = null,
        };
        session.Store(changed);
        session.Events.Append(user.Id, new UserPasswordReset(user.Id, command.Reason));
        return new(null, Body: UserView.From(changed));
    }
}

public static class ChangeOwnPasswordHandler
{
    public static async Task<CommandOutcome> Handle(ChangeOwnPasswordCommand command, IDocumentSession session, IPasswordHasher<UserAccount> hasher)
    {
        if (await session.LoadAsync<UserAccount>(command.UserId) is not { } user || user.Disabled)
        {
            return CommandOutcome.NotFound("user", command.UserId);
        }

        if (hasher.VerifyHashedPassword(user, user.PasswordHash, command.CurrentPassword) == PasswordVerificationResult.Failed)
        {
            return CommandOutcome.Refused(new("wrong-current-password", "The current password is not right."));
        }

        if (command.NewPassword == command.CurrentPassword)
        {
            return CommandOutcome.Refused(new("same-password", "Choose a new password that differs from the current one."));
        }

        var changed = user with
        {
            PasswordHash = hasher.HashPassword(user, command.NewPassword), MustChangePassword = false, SecurityStamp = UserAccount.NewStamp(),
        };
        session.Store(changed);
        session.Events.Append(user.Id, new UserPasswordChanged(user.Id));
        return new(null, Body: UserView.From(changed));
    }
}

public static class DisableUserEndpoint
{
    public static ProblemDetails Validate(UserChangeRequest? request) =>
        request is null ? RequestCheck.Body(request).Result() : new RequestCheck().Reason(request.Reason).Result();

    /// <summary>Disables a user: no sign-in; their sessions and tokens stop within a minute. Not yourself, not the last administrator.</summary>
    [Authorize(Policy = Policies.ManageUsers)]
    [WolverinePost("/api/users/{id}/disable")]
    public static Task<IResult> Post(Guid id, UserChangeRequest request, IMessageBus bus, HttpContext context) =>
        bus.Send(new DisableUserCommand(id, request.Reason.Trim(), RequestMetadata.From(context)), outcome => outcome.ToOk(), context.RequestAborted);
}

public static class EnableUserEndpoint
{
    public static ProblemDetails Validate(UserChangeRequest? request) =>
        request is null ? RequestCheck.Body(request).Result() : new RequestCheck().Reason(request.Reason).Result();

    /// <summary>Enables a user again; also ends a lockout.</summary>
    [Authorize(Policy = Policies.ManageUsers)]
    [WolverinePost("/api/users/{id}/enable")]
    public static Task<IResult> Post(Guid id, UserChangeRequest request, IMessageBus bus, HttpContext context) =>
        bus.Send(new EnableUserCommand(id, request.Reason.Trim(), RequestMetadata.From(context)), outcome => outcome.ToOk(), context.RequestAborted);
}

public static class ChangeUserRolesEndpoint
{
    public static ProblemDetails Validate(UserRolesRequest? request) =>
        request is null ? RequestCheck.Body(request).Result()
            : new RequestCheck().RolesOf(request.Roles, request.GranteeOrganisationId).Reason(request.Reason).Result();

    /// <summary>Replaces the user's roles (and grantee organisation); their sessions stop within a minute.</summary>
    [Authorize(Policy = Policies.ManageUsers)]
    [WolverinePut("/api/users/{id}/roles")]
    public static Task<IResult> Put(Guid id, UserRolesRequest request, IMessageBus bus, HttpContext context) =>
        bus.Send(new ChangeUserRolesCommand(id, request.Roles, request.GranteeOrganisationId, request.Reason.Trim(), RequestMetadata.From(context)),
            outcome => outcome.ToOk(), context.RequestAborted);
}

public static class ResetUserPasswordEndpoint
{
    public static ProblemDetails Validate(PasswordResetRequest? request) =>
        request is null ? RequestCheck.Body(request).Result()
            : new RequestCheck().Password("oneTimePassword", request.OneTimePassword).Reason(request.Reason).Result();

    /// <summary>Sets a one-time password: the user's next sign-in may only change it. Their sessions stop within a minute.</summary>
    [Authorize(Policy = Policies.ManageUsers)]
    [WolverinePost("/api/users/{id}/password-reset")]
    public static Task<IResult> Post(Guid id, PasswordResetRequest request, IMessageBus bus, HttpContext context) =>
        bus.Send(new ResetUserPasswordCommand(id, request.OneTimePassword, request.Reason.Trim(), RequestMetadata.From(context)),
            outcome => outcome.ToOk(), context.RequestAborted);
}

public static class ChangeOwnPasswordEndpoint
{
    public static ProblemDetails Validate(PasswordChangeRequest? request) =>
        request is null ? RequestCheck.Body(request).Result() : new RequestCheck()
            .That(request.CurrentPassword is { Length: > 0 and <= UserRules.MaximumPasswordLength }, "currentPassword", "is required.")
            .Password("newPassword", request.NewPassword)
            .Result();

    /// <summary>
    /// Changes your own password (the current one is required). Also the only thing a session signed in with a
    /// one-time password may do. Every session and token of yours, this one included, stops: sign in again.
    /// </summary>
    [Authorize(Policy = Policies.SignedIn)]
    [WolverinePost("/api/me/password")]
    public static Task<IResult> Post(PasswordChangeRequest request, IMessageBus bus, HttpContext context) =>
        bus.Send(new ChangeOwnPasswordCommand(Guid.TryParse(CurrentUser.From(context.User).Id, out var id) ? id : Guid.Empty,
            request.CurrentPassword, request.NewPassword, RequestMetadata.From(context)), outcome => outcome.ToOk(), context.RequestAborted);
}

public sealed record UserHistoryEntry(long Version, string Type, NodaTime.Instant At, string? Actor, string? Reason, object Data);

public static class UserHistoryEndpoint
{
    public const int MaxEntries = 500;

    /// <summary>The user's stream, newest first (at most 500): added, roles, disabling, passwords, lockouts, external logins.</summary>
    [Authorize(Policy = Policies.SecurityLog)]
    [WolverineGet("/api/users/{id}/history")]
    public static async Task<IResult> Get(Guid id, IQuerySession session)
    {
        if (await session.LoadAsync<UserAccount>(id) is null)
        {
            return Problems.NotFound("user", id);
        }

        var events = await session.Events.FetchStreamAsync(id);
        return Results.Ok(events.OrderByDescending(e => e.Version).Take(MaxEntries).Select(e => new UserHistoryEntry(e.Version, e.EventTypeName,
            NodaTime.Instant.FromDateTimeOffset(e.Timestamp), e.GetHeader(SessionMetadata.ActorHeader)?.ToString(),
            e.GetHeader(SessionMetadata.ReasonHeader)?.ToString(), e.Data)).ToList());
    }
}
