using System.Security.Claims;
using GrantLedger.Api.Http;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Localization;
using Microsoft.AspNetCore.Mvc;
using Wolverine;
using Wolverine.Http;

namespace GrantLedger.Api.Identity;

/// <summary>The user chose the language the ledger speaks to them in (pages; e-mail and grantee PDFs follow it too).</summary>
public sealed record UserLanguageChanged(Guid UserId, string Language);

public sealed record LanguageRequest(string Language);

public sealed record LanguageResponse(string Language);

/// <summary>One's own language, from the API, the language switcher on every page and the preferences page.</summary>
public sealed record ChangeOwnLanguageCommand(Guid UserId, string Language, RequestMetadata Metadata) : IUserCommand
{
    public string Reason => "language changed";
}

public static class ChangeOwnLanguageHandler
{
    public static async Task<CommandOutcome> Handle(ChangeOwnLanguageCommand command, IDocumentSession session)
    {
        if (await session.LoadAsync<UserAccount>(command.UserId) is not { } user || user.Disabled)
        {
            return CommandOutcome.NotFound("user", command.UserId);
        }

        var language = Languages.Supported(command.Language);
        if (user.Language != language)
        {
            session.Store(user with { Language = language });
            session.Events.Append(user.Id, new UserLanguageChanged(user.Id, language));
        }

        return new(null, Body: new LanguageResponse(language));
    }
}

public static class ChangeOwnLanguageEndpoint
{
    public static ProblemDetails Validate(LanguageRequest? request) =>
        request is null ? RequestCheck.Body(request).Result() : new RequestCheck()
            .Text("language", request.Language, InputLimits.LanguageCode)
            .That(string.IsNullOrWhiteSpace(request.Language) || Languages.All.Contains(request.Language.Trim().ToLowerInvariant()),
                "language", $"must be one of {string.Join(", ", Languages.All)}.")
            .Result();

    /// <summary>
    /// Sets your language (<c>en</c> or <c>ru</c>) for the pages, e-mail and grantee PDFs. The API itself stays
    /// culture-invariant. A browser session picks the new language up at its next sign-in (the switcher on the pages
    /// changes it at once).
    /// </summary>
    [Authorize(Policy = Policies.SignedIn)]
    [WolverinePut("/api/me/language")]
    public static Task<IResult> Put(LanguageRequest request, IMessageBus bus, HttpContext context) =>
        bus.Send(new ChangeOwnLanguageCommand(Guid.TryParse(CurrentUser.From(context.User).Id, out var id) ? id : Guid.Empty,
            request.Language.Trim().ToLowerInvariant(), RequestMetadata.From(context)), outcome => outcome.ToOk(), context.RequestAborted);
}

/// <summary>
/// The signed-in user's profile language, carried as a claim of the session (set at sign-in, renewed when the person
/// switches language on a page); the first of the request's culture providers (then the culture cookie, then
/// <c>Accept-Language</c>).
/// </summary>
public sealed class ProfileLanguageCultureProvider : RequestCultureProvider
{
    public override Task<ProviderCultureResult?> DetermineProviderCultureResult(HttpContext httpContext) =>
        Task.FromResult(httpContext.User.FindFirstValue(LedgerClaims.Language) is { Length: > 0 } language
            ? new ProviderCultureResult(Languages.Supported(language))
            : null);
}
