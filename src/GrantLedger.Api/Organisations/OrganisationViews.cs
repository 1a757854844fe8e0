using GrantLedger.Api.Identity;
using GrantLedger.Domain.Organisations;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace GrantLedger.Api.Organisations;

/// <summary>An account as the caller may see it: the number in full for finance and approvers, masked for everyone else.</summary>
public sealed record BankAccountView(
    Guid Id, string Status, string Holder, string AccountNumber, bool Masked, string? Swift, string BankName, string BankCountry,
    string? IntermediaryBank, string Currency, Guid? Replaces, string Reason, string ProposedBy, string? DecidedBy, string? DecisionReason)
{
    public static BankAccountView From(BankAccount a, bool full) =>
        new(a.Id, StatusName(a.Status), a.Details.Holder, full ? a.Details.AccountNumber : BankAccountFormat.Mask(a.Details.AccountNumber), !full,
            a.Details.Swift, a.Details.BankName, a.Details.BankCountry, a.Details.IntermediaryBank, a.Details.Currency, a.Replaces, a.Reason,
            a.ProposedBy, a.DecidedBy, a.DecisionReason);

    public static string StatusName(BankAccountStatus status) => status switch
    {
        BankAccountStatus.Proposed => "proposed",
        BankAccountStatus.Approved => "approved",
        BankAccountStatus.Rejected => "rejected",
        _ => "retired",
    };
}

public sealed record OrganisationView(
    Guid Id, long Version, string LegalName, string ShortName, IReadOnlyList<string> Countries, string? RegistrationNumber,
    string? IatiIdentifier, string? IatiType, IReadOnlyList<OrganisationContact> Contacts, IReadOnlyList<BankAccountView> BankAccounts)
{
    public static OrganisationView From(Organisation o, CurrentUser user) =>
        new(o.Id, o.Version, o.LegalName, o.ShortName, o.Countries, o.RegistrationNumber, o.IatiIdentifier, o.IatiType, o.Contacts,
            [.. o.Accounts.Select(a => BankAccountView.From(a, SeesAccountNumbers(user)))]);

    /// <summary>Finance and approvers pay and approve, so they need the number; auditors and grantees see its last four characters.</summary>
    public static bool SeesAccountNumbers(CurrentUser user) =>
        !user.IsGrantee && (user.Roles.Contains(Roles.Finance) || user.Roles.Contains(Roles.Approver));
}

public static class OrganisationQueries
{
    /// <summary>The organisation, if the user may see it: staff see all, a grantee only its own (another's is as unknown as a missing one).</summary>
    public static async Task<Organisation?> Visible(IQuerySession session, Guid id, CurrentUser user) =>
        user.IsGrantee && user.OrganisationId != id ? null : await session.LoadAsync<Organisation>(id);

    public static async Task<IReadOnlyList<Organisation>> List(IQuerySession session, CurrentUser user)
    {
        if (user.IsGrantee)
        {
            return user.OrganisationId is { } own && await session.LoadAsync<Organisation>(own) is { } mine ? [mine] : [];
        }

        return await session.Query<Organisation>().OrderBy(o => o.ShortName).Take(1000).ToListAsync();
    }
}

public static class OrganisationListEndpoint
{
    [Authorize(Policy = Policies.ReadGrants)]
    [WolverineGet("/api/organisations")]
    public static async Task<IReadOnlyList<OrganisationView>> Get(IQuerySession session, System.Security.Claims.ClaimsPrincipal principal)
    {
        var user = CurrentUser.From(principal);
        return [.. (await OrganisationQueries.List(session, user)).Select(o => OrganisationView.From(o, user))];
    }
}

public static class OrganisationEndpoint
{
    [Authorize(Policy = Policies.ReadGrants)]
    [WolverineGet("/api/organisations/{id}")]
    public static async Task<IResult> Get(Guid id, IQuerySession session, System.Security.Claims.ClaimsPrincipal principal)
    {
        var user = CurrentUser.From(principal);
        return await OrganisationQueries.Visible(session, id, user) is { } organisation
            ? Results.Ok(OrganisationView.From(organisation, user))
            : Http.Problems.NotFound("organisation", id);
    }
}
