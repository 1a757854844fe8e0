using GrantLedger.Api.Http;
using GrantLedger.Api.Identity;
using GrantLedger.Api.Organisations;
using GrantLedger.Domain.Grants;
using GrantLedger.Domain.Organisations;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Wolverine;

namespace GrantLedger.Api.Pages.Organisations;

/// <summary>
/// One organisation: details, contacts, bank accounts with every proposal and decision (numbers masked except for finance
/// and approvers), its grants; finance changes details, finance or the organisation's own grantee users propose
/// accounts. Each form sends the same command as the API.
/// </summary>
[Authorize(Policy = Policies.ReadGrants)]
public sealed class OrganisationDetailModel(IQuerySession session, IMessageBus bus) : PageModel
{
    public Organisation Organisation { get; private set; } = null!;
    public OrganisationView View { get; private set; } = null!;
    public IReadOnlyList<Grant> Grants { get; private set; } = [];
    public bool IsFinance { get; private set; }
    public bool MayPropose { get; private set; }
    public Outcome? Outcome { get; private set; }

    public async Task<IActionResult> OnGetAsync(Guid id) => await Load(id) ? Page() : NotFound();

    public async Task<IActionResult> OnPostChangeAsync(Guid id, string legalName, string shortName, string countries, string? registrationNumber,
        string? iatiIdentifier, string? iatiType, string? contactName, string? contactEmail, string reason, long? expectedVersion)
    {
        if (!await Load(id))
        {
            return NotFound();
        }

        if (!IsFinance)
        {
            return Forbid();
        }

        var request = OrganisationForm.Request(legalName, shortName, countries, registrationNumber, iatiIdentifier, iatiType, contactName, contactEmail,
            reason, expectedVersion);
        var invalid = ChangeOrganisationEndpoint.Validate(request);
        return await Done(id, invalid.Status is not null ? Outcome.Invalid(invalid)
            : Outcome.From(await ChangeOrganisationEndpoint.Put(id, request, bus, HttpContext)), "The details were changed.");
    }

    public async Task<IActionResult> OnPostProposeAsync(Guid id, string holder, string accountNumber, string? swift, string bankName, string bankCountry,
        string? intermediaryBank, string currency, string reason, Guid? replaces)
    {
        if (!await Load(id))
        {
            return NotFound();
        }

        if (!MayPropose)
        {
            return Forbid();
        }

        var request = new BankAccountRequest(holder ?? "", accountNumber ?? "", bankName ?? "", (bankCountry ?? "").Trim().ToUpperInvariant(),
            (currency ?? "").Trim().ToUpperInvariant(), reason ?? "", string.IsNullOrWhiteSpace(swift) ? null : swift,
            string.IsNullOrWhiteSpace(intermediaryBank) ? null : intermediaryBank, replaces);
        var invalid = ProposeBankAccountEndpoint.Validate(request);
        return await Done(id, invalid.Status is not null ? Outcome.Invalid(invalid)
            : Outcome.From(await ProposeBankAccountEndpoint.Post(id, request, bus, HttpContext)),
            "The bank account was proposed. It takes effect when a second person approves it.");
    }

    public async Task<IActionResult> OnPostRetireAsync(Guid id, Guid accountId, string reason)
    {
        if (!await Load(id))
        {
            return NotFound();
        }

        if (!IsFinance)
        {
            return Forbid();
        }

        var request = new BankAccountDecisionRequest(reason);
        var invalid = RetireBankAccountEndpoint.Validate(request);
        return await Done(id, invalid.Status is not null ? Outcome.Invalid(invalid)
            : Outcome.From(await RetireBankAccountEndpoint.Post(id, accountId, request, bus, HttpContext)), "The bank account was retired: nothing more is paid to it.");
    }

    private async Task<IActionResult> Done(Guid id, Outcome outcome, string success)
    {
        if (outcome.Ok)
        {
            TempData["Notice"] = success;
            return Redirect($"/organisations/{id}");
        }

        Outcome = outcome;
        await Load(id);
        return Page();
    }

    private async Task<bool> Load(Guid id)
    {
        var user = CurrentUser.From(User);
        if (await OrganisationQueries.Visible(session, id, user) is not { } organisation)
        {
            return false;
        }

        (Organisation, View) = (organisation, OrganisationView.From(organisation, user));
        IsFinance = user.Roles.Contains(Roles.Finance);
        MayPropose = IsFinance || (user.IsGrantee && user.OrganisationId == id);
        Grants = await session.Query<Grant>().Where(g => g.OrganisationId == id).ToListAsync();
        return true;
    }
}
