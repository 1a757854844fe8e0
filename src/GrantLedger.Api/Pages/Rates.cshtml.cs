using System.Globalization;
using GrantLedger.Api.Currencies;
using GrantLedger.Api.Http;
using GrantLedger.Api.Identity;
using GrantLedger.Domain.Currencies;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using NodaTime.Text;
using Wolverine;

namespace GrantLedger.Api.Pages;

/// <summary>The rate table: read for everyone who reads grants; entered and imported by finance through the same command as the API.</summary>
[Authorize(Policy = Policies.ReadGrants)]
public sealed class RatesModel(IQuerySession session, IMessageBus bus, IAuthorizationService authorization) : PageModel
{
    public IReadOnlyList<FxRateView> Rates { get; private set; } = [];
    public string? Message { get; private set; }
    public IReadOnlyList<string> Rows { get; private set; } = [];

    public async Task OnGetAsync() => Rates = await FxRateEndpoints.Get(session);

    public async Task<IActionResult> OnPostOneAsync(string currency, string month, string rate)
    {
        if (!await MayEnterRates())
        {
            return Forbid();
        }

        if (YearMonthPattern.Iso.Parse(month ?? "") is not { Success: true } parsed)
        {
            return await Show(Problems.BadRequest("malformed-request", "The month must be given as yyyy-MM."));
        }

        // An unreadable figure goes to the decision as an impossible rate, so it is refused with the rule's own words.
        var units = decimal.TryParse(rate, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) ? value : -1m;
        return await Set([FxRateEndpoints.Entered(currency, parsed.Value, units)]);
    }

    public async Task<IActionResult> OnPostCsvAsync(IFormFile csv)
    {
        if (!await MayEnterRates())
        {
            return Forbid();
        }

        await using var content = csv.OpenReadStream();
        var (rates, problem) = await FxRateEndpoints.ReadCsv(content, HttpContext.RequestAborted);
        return problem is not null ? await Show(problem) : await Set(rates!);
    }

    /// <summary>Sends the rates through the one handler the API uses.</summary>
    private async Task<IActionResult> Set(IReadOnlyList<SetFxRate> rates) =>
        await Show(await bus.Send(new SetFxRatesCommand(rates, RequestMetadata.From(HttpContext)), outcome => outcome.ToOk(), HttpContext.RequestAborted));

    private async Task<bool> MayEnterRates() => (await authorization.AuthorizeAsync(User, Policies.Finance)).Succeeded;

    private async Task<IActionResult> Show(IResult result)
    {
        var outcome = Outcome.From(result);
        if (outcome.Ok)
        {
            TempData["Notice"] = "The rates were saved.";
            return Redirect("/rates");
        }

        Message = outcome.Message;
        if (result is ProblemHttpResult { ProblemDetails.Extensions: var extensions } && extensions.TryGetValue("errors", out var errors) && errors is IEnumerable<object> rows)
        {
            Rows = rows.Select(r => r.ToString() ?? "").ToList();
        }

        Rates = await FxRateEndpoints.Get(session);
        return Page();
    }
}
