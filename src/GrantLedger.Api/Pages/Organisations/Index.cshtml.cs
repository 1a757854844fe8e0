using GrantLedger.Api.Http;
using GrantLedger.Api.Identity;
using GrantLedger.Api.Organisations;
using GrantLedger.Domain.Organisations;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Wolverine;

namespace GrantLedger.Api.Pages.Organisations;

/// <summary>The organisations (a grantee: its own), and finance's form to register one: the same command as <c>POST /api/organisations</c>.</summary>
[Authorize(Policy = Policies.ReadGrants)]
public sealed class OrganisationsIndexModel(IQuerySession session, IMessageBus bus) : PageModel
{
    public IReadOnlyList<Organisation> Organisations { get; private set; } = [];
    public bool IsFinance { get; private set; }
    public Outcome? Outcome { get; private set; }

    public async Task OnGetAsync()
    {
        var user = CurrentUser.From(User);
        IsFinance = user.Roles.Contains(Roles.Finance);
        Organisations = await OrganisationQueries.List(session, user);
    }

    public async Task<IActionResult> OnPostAsync(string legalName, string shortName, string countries, string? registrationNumber,
        string? iatiIdentifier, string? iatiType, string? contactName, string? contactEmail)
    {
        if (!CurrentUser.From(User).Roles.Contains(Roles.Finance))
        {
            return Forbid();
        }

        var request = OrganisationForm.Request(legalName, shortName, countries, registrationNumber, iatiIdentifier, iatiType, contactName, contactEmail, null);
        var invalid = RegisterOrganisationEndpoint.Validate(request);
        Outcome = invalid.Status is not null ? Outcome.Invalid(invalid) : Outcome.From(await RegisterOrganisationEndpoint.Post(request, bus, HttpContext));
        if (Outcome.Ok)
        {
            TempData["Notice"] = "The organisation was registered. Propose its bank account: a second person approves it.";
            return Redirect("/organisations");
        }

        await OnGetAsync();
        return Page();
    }
}

/// <summary>The organisation form's fields as the API's request (one contact on the page; the API takes up to twenty).</summary>
public static class OrganisationForm
{
    public static OrganisationRequest Request(string? legalName, string? shortName, string? countries, string? registrationNumber, string? iatiIdentifier,
        string? iatiType, string? contactName, string? contactEmail, string? reason, long? expectedVersion = null) =>
        new(legalName ?? "", shortName ?? "",
            [.. (countries ?? "").Split([',', ' ', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(c => c.ToUpperInvariant())],
            Blank(registrationNumber), Blank(iatiIdentifier), Blank(iatiType),
            string.IsNullOrWhiteSpace(contactName) ? [] : [new OrganisationContact(contactName.Trim(), null, Blank(contactEmail), null)],
            Blank(reason), expectedVersion);

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
