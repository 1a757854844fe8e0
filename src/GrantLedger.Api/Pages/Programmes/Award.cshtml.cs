using GrantLedger.Api.Grants;
using GrantLedger.Api.Identity;
using GrantLedger.Domain.Programmes;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using NodaTime.Text;

namespace GrantLedger.Api.Pages.Programmes;

public sealed record AwardForm(string OrganisationId = "", string Countries = "", string Title = "", string Amount = "", string WindowStart = "",
    string WindowEnd = "", string Reason = "");

/// <summary>
/// Award a grant from a programme through the same endpoint method as <c>POST /api/programmes/{id}/grants</c>, at the
/// programme version the form was opened at (another award in between is a 409, not a silent overcommitment).
/// </summary>
[Authorize(Policy = Policies.Finance)]
public sealed class AwardGrantModel(IQuerySession session, Wolverine.IMessageBus bus) : PageModel
{
    public static readonly IReadOnlyDictionary<string, string> FieldOfCode = new Dictionary<string, string>
    {
        ["invalid-amount"] = "amount",
        ["allocation-exceeded"] = "amount",
        ["outside-window"] = "windowEnd",
        ["invalid-window"] = "windowEnd",
        ["unknown-organisation"] = "organisationId",
    };

    public Programme Programme { get; private set; } = null!;

    /// <summary>The registered organisations to choose from: a grant goes to an organisation, never to a typed name.</summary>
    public IReadOnlyList<GrantLedger.Domain.Organisations.Organisation> Organisations { get; private set; } = [];
    public AwardForm Form { get; private set; } = new();
    public Outcome? Outcome { get; private set; }

    public async Task<IActionResult> OnGetAsync(Guid id) => await Load(id) ? Page() : NotFound();

    public async Task<IActionResult> OnPostAsync(Guid id, AwardForm form, long? expectedVersion)
    {
        if (!await Load(id))
        {
            return NotFound();
        }

        Form = form;
        var errors = new Dictionary<string, string[]>();
        var amount = Ui.Parse(form.Amount);
        if (amount is null)
        {
            errors["amount"] = ["must be a number, with a dot for decimals (e.g. 45000.00)."];
        }

        var (start, end) = (LocalDatePattern.Iso.Parse(form.WindowStart ?? ""), LocalDatePattern.Iso.Parse(form.WindowEnd ?? ""));
        if (!start.Success)
        {
            errors["windowStart"] = ["must be a date."];
        }

        if (!end.Success)
        {
            errors["windowEnd"] = ["must be a date."];
        }

        if (errors.Count > 0)
        {
            Outcome = Outcome.Fields(errors);
            return Page();
        }

        var countries = (form.Countries ?? "").Split([',', ' ', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(c => c.ToUpperInvariant()).ToList();
        var request = new AwardGrantRequest(Guid.TryParse(form.OrganisationId, out var organisationId) ? organisationId : Guid.Empty, countries, form.Title ?? "", amount!.Value, start.Value, end.Value, null,
            expectedVersion, string.IsNullOrWhiteSpace(form.Reason) ? null : form.Reason);
        var invalid = AwardGrantEndpoint.Validate(request);
        if (invalid.Status is not null)
        {
            Outcome = Outcome.Invalid(invalid);
            return Page();
        }

        var result = await AwardGrantEndpoint.Post(id, request, bus, HttpContext);
        if (result is IValueHttpResult { Value: AwardCreated created })
        {
            TempData["Notice"] = created.Status == "awaiting-approval"
                ? SharedResource.Localizer["The grant was awarded. At or above the approval threshold of {0} the award waits for a second person's approval: nothing can be paid until then.", Ui.Eur(Programme.Approval!.Threshold.Amount)].Value
                : SharedResource.Localizer["The grant was awarded. Plan its payment schedule and milestones, and set its budget."].Value;

            return Redirect($"/grants/{created.Id}/agreement");
        }

        Outcome = Outcome.From(result).Placed(FieldOfCode);
        await Load(id);
        return Page();
    }

    private async Task<bool> Load(Guid id)
    {
        Programme = (await session.LoadAsync<Programme>(id, HttpContext.RequestAborted))!;
        Organisations = await session.Query<GrantLedger.Domain.Organisations.Organisation>().OrderBy(o => o.ShortName).ToListAsync(HttpContext.RequestAborted);
        return Programme is not null;
    }
}
