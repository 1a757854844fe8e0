using System.Text;
using System.Text.Json;
using GrantLedger.Api.Currencies;
using GrantLedger.Api.Identity;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace GrantLedger.Api.Pages;

/// <summary>The rate table: read for everyone who reads grants; entered and imported by finance through the API handler.</summary>
[Authorize(Policy = Policies.ReadGrants)]
public sealed class RatesModel(IDocumentSession session, IAuthorizationService authorization) : PageModel
{
    public IReadOnlyList<FxRateView> Rates { get; private set; } = [];
    public string? Message { get; private set; }
    public IReadOnlyList<string> Rows { get; private set; } = [];

    public async Task OnGetAsync() => Rates = await FxRateEndpoints.Get(session);

    public async Task<IActionResult> OnPostOneAsync(string currency, string month, string rate) =>
        await Put(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { rates = new[] { new { currency, month, unitsPerEur = decimal.TryParse(rate,
            System.Globalization.NumberStyles.AllowDecimalPoint, System.Globalization.CultureInfo.InvariantCulture, out var value) ? value : -1m } } })),
            "application/json");

    public async Task<IActionResult> OnPostCsvAsync(IFormFile csv)
    {
        using var buffer = new MemoryStream();
        await csv.CopyToAsync(buffer);
        return await Put(buffer.ToArray(), "text/csv");
    }

    /// <summary>Hands the body to the API's own rate handler, exactly as a client upload would arrive.</summary>
    private async Task<IActionResult> Put(byte[] body, string contentType)
    {
        if (!(await authorization.AuthorizeAsync(User, Policies.Finance)).Succeeded)
        {
            return Forbid();
        }

        HttpContext.Request.ContentType = contentType;
        HttpContext.Request.Body = new MemoryStream(body);
        var result = await FxRateEndpoints.Put(HttpContext, session);
        if (result is Ok<IReadOnlyList<FxRateView>>)
        {
            TempData["Notice"] = "The rates were saved.";
            return Redirect("/rates");
        }

        Message = Outcome.From(result).Message;
        if (result is ProblemHttpResult { ProblemDetails.Extensions: var extensions } && extensions.TryGetValue("errors", out var errors) && errors is IEnumerable<object> rows)
        {
            Rows = rows.Select(r => r.ToString() ?? "").ToList();
        }

        Rates = await FxRateEndpoints.Get(session);
        return Page();
    }
}
