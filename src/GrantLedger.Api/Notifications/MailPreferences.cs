using GrantLedger.Api.Http;
using GrantLedger.Api.Identity;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine;
using Wolverine.Http;

namespace GrantLedger.Api.Notifications;

/// <summary>Whether the person takes non-essential e-mail (reminders, milestone reviews, amendments, reports); payment mail always goes.</summary>
public sealed record MailPreferences(bool NonEssentialMail);

public sealed record MailPreferencesRequest(bool? NonEssentialMail);

/// <summary>A person changed which e-mail they take (user stream).</summary>
public sealed record UserMailPreferenceChanged(Guid UserId, bool NonEssentialMail);

public sealed record SetMailPreferencesCommand(Guid UserId, bool NonEssentialMail, RequestMetadata Metadata) : IUserCommand
{
    public string Reason => "mail preferences";
}

public static class SetMailPreferencesHandler
{
    public static async Task<CommandOutcome> Handle(SetMailPreferencesCommand command, IDocumentSession session)
    {
        if (await session.LoadAsync<UserAccount>(command.UserId) is not { Disabled: false } user)
        {
            return CommandOutcome.NotFound("user", command.UserId);
        }

        if (user.NonEssentialMail != command.NonEssentialMail)
        {
            session.Store(user with { NonEssentialMail = command.NonEssentialMail });
            session.Events.Append(user.Id, new UserMailPreferenceChanged(user.Id, command.NonEssentialMail));
        }

        return new(null, Body: new MailPreferences(command.NonEssentialMail));
    }
}

public static class MailPreferencesEndpoint
{
    public static ProblemDetails Validate(MailPreferencesRequest? request) =>
        request is null ? RequestCheck.Body(request).Result()
            : new RequestCheck().That(request.NonEssentialMail is not null, "nonEssentialMail", "is required (true or false).").Result();

    /// <summary>Your own e-mail preference: <c>false</c> stops non-essential mail (payment mail is always sent).</summary>
    [Authorize(Policy = Policies.SignedIn)]
    [WolverinePut("/api/me/preferences")]
    public static Task<IResult> Put(MailPreferencesRequest request, IMessageBus bus, HttpContext context) =>
        bus.Send(new SetMailPreferencesCommand(Guid.TryParse(CurrentUser.From(context.User).Id, out var id) ? id : Guid.Empty,
            request.NonEssentialMail!.Value, RequestMetadata.From(context)), outcome => outcome.ToOk(), context.RequestAborted);
}

public static class MyMailPreferencesEndpoint
{
    [Authorize(Policy = Policies.SignedIn)]
    [WolverineGet("/api/me/preferences")]
    public static async Task<IResult> Get(IQuerySession session, HttpContext context) =>
        Guid.TryParse(CurrentUser.From(context.User).Id, out var id) && await session.LoadAsync<UserAccount>(id, context.RequestAborted) is { } user
            ? Results.Ok(new MailPreferences(user.NonEssentialMail))
            : Problems.NotFound("user", id);
}
