using System.Text;
using System.Text.Json;
using GrantLedger.Api.Budgets;
using GrantLedger.Api.Expenditure;
using GrantLedger.Api.Identity;
using GrantLedger.Api.Milestones;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;

namespace GrantLedger.Api.Pages.Grants;

/// <summary>Budget against actual, expenditure reports, their review, and CSV reporting — through the API's endpoint methods.</summary>
[Authorize(Policy = Policies.ReadGrants)]
public sealed class GrantBudgetModel(IQuerySession session, IAuthorizationService authorization, IOptions<MilestoneOptions> limits,
    IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json, Wolverine.IMessageBus bus) : PageModel
{
    public GrantBudgetResponse Budget { get; private set; } = null!;
    public IReadOnlyList<ExpenditureReportView> Reports { get; private set; } = [];
    public Outcome? Outcome { get; private set; }
    public IReadOnlyList<string> Rows { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(Guid id) => await Load(id) ? Page() : NotFound();

    public async Task<IActionResult> OnPostReviewAsync(Guid id, Guid reportId, [FromForm] Dictionary<Guid, string> decision, [FromForm] Dictionary<Guid, string> reason)
    {
        if (!(await authorization.AuthorizeAsync(User, Policies.Finance)).Succeeded)
        {
            return Forbid();
        }

        var entries = decision.Where(d => d.Value is "accept" or "reject")
            .Select(d => new EntryReviewRequest(d.Key, d.Value == "accept", reason.GetValueOrDefault(d.Key))).ToList();
        if (entries.Count == 0)
        {
            return Redirect($"/grants/{id}/budget");
        }

        var request = new ReviewRequest(entries);
        var invalid = ReviewExpenditureEndpoint.Validate(request);
        return await Done(id, invalid.Status is not null ? Results.Problem(invalid) : await ReviewExpenditureEndpoint.Post(id, reportId, request, bus, HttpContext),
            "The decisions were recorded.");
    }

    public async Task<IActionResult> OnPostReviseAsync(Guid id, [FromForm] Dictionary<Guid, string> amounts, string reason)
    {
        if (!(await authorization.AuthorizeAsync(User, Policies.Finance)).Succeeded || !await Load(id))
        {
            return Forbid();
        }

        var changes = amounts
            .Select(a => (a.Key, Parsed: decimal.TryParse(a.Value, System.Globalization.NumberStyles.AllowDecimalPoint, System.Globalization.CultureInfo.InvariantCulture, out var v) ? v : -1m))
            .Where(a => Budget.Lines.FirstOrDefault(l => l.Id == a.Key) is { } line && line.Amount != a.Parsed)
            .Select(a => new BudgetChangeRequest(a.Key, a.Parsed)).ToList();
        if (changes.Count == 0)
        {
            return Redirect($"/grants/{id}/budget");
        }

        var request = new ReviseBudgetRequest(changes, reason ?? "");
        var invalid = ReviseBudgetEndpoint.Validate(request);
        return await Done(id, invalid.Status is not null ? Results.Problem(invalid) : await ReviseBudgetEndpoint.Post(id, request, bus, HttpContext),
            "The budget was revised.");
    }

    public async Task<IActionResult> OnPostEntryAsync(Guid id, string periodStart, string periodEnd, Guid budgetLineId, string date,
        string description, string amount, string currency)
    {
        if (!(await authorization.AuthorizeAsync(User, Policies.Deliver)).Succeeded)
        {
            return Forbid();
        }

        var (start, end, paid) = (NodaTime.Text.LocalDatePattern.Iso.Parse(periodStart ?? ""), NodaTime.Text.LocalDatePattern.Iso.Parse(periodEnd ?? ""),
            NodaTime.Text.LocalDatePattern.Iso.Parse(date ?? ""));
        if (!start.Success || !end.Success || !paid.Success)
        {
            return await Done(id, Pages.Outcome.Invalid(new HttpValidationProblemDetails(new Dictionary<string, string[]> { ["dates"] = ["Enter the period and the date paid."] })), "");
        }

        var request = new ExpenditureReportRequest(start.Value, end.Value,
            [new ExpenseRequest(paid.Value, description ?? "", Number(amount), currency ?? "", budgetLineId)]);
        return await Done(id, await SubmitExpenditureReportEndpoint.Submit(id, request, HttpContext, bus),
            "Your expense was received; ECARO finance will review it.");
    }

    public async Task<IActionResult> OnPostAmendAsync(Guid id, string? amount, string? endDate, [FromForm] Dictionary<string, string> lines, string reason)
    {
        if (!(await authorization.AuthorizeAsync(User, Policies.Finance)).Succeeded || !await Load(id))
        {
            return Forbid();
        }

        var newAmount = string.IsNullOrWhiteSpace(amount) ? (decimal?)null : Number(amount);
        var end = NodaTime.Text.LocalDatePattern.Iso.Parse(endDate ?? "");
        var budgetChanged = Budget.Lines.Any(l => lines.TryGetValue(l.Code, out var v) && Number(v) != l.Amount);
        var request = new Amendments.ProposeAmendmentRequest(reason ?? "", newAmount, end.Success ? end.Value : null,
            budgetChanged || newAmount is not null
                ? Budget.Lines.Select(l => new BudgetLineRequest(l.Heading, l.Description, lines.TryGetValue(l.Code, out var v) ? Number(v) : l.Amount, l.Code)).ToList()
                : null);
        var invalid = Amendments.ProposeAmendmentEndpoint.Validate(request);
        return await Done(id, invalid.Status is not null ? Results.Problem(invalid) : await Amendments.ProposeAmendmentEndpoint.Post(id, request, bus, HttpContext),
            "The amendment was proposed; an approver must approve it on the grant page.");
    }

    /// <summary>Figures typed with a dot for decimals; anything else is sent on as-is for the ledger to refuse in words.</summary>
    private static decimal Number(string text) =>
        decimal.TryParse(text, System.Globalization.NumberStyles.AllowDecimalPoint, System.Globalization.CultureInfo.InvariantCulture, out var value) ? value : -1m;

    public async Task<IActionResult> OnPostCsvAsync(Guid id, string periodStart, string periodEnd, IFormFile csv)
    {
        if (!(await authorization.AuthorizeAsync(User, Policies.Deliver)).Succeeded)
        {
            return Forbid();
        }

        // The API reads the CSV from the request body, as a text/csv upload would send it.
        HttpContext.Request.ContentType = "text/csv";
        HttpContext.Request.Body = csv.OpenReadStream();
        var result = await SubmitExpenditureReportEndpoint.Post(id, periodStart, periodEnd, HttpContext, bus, limits, json);
        return await Done(id, result, "Your expenditure report was received; ECARO finance will review it.");
    }

    private async Task<IActionResult> Done(Guid id, Outcome outcome, string success)
    {
        if (!outcome.Ok)
        {
            Outcome = outcome;
            return await Load(id) ? Page() : NotFound();
        }

        TempData["Notice"] = success;
        return Redirect($"/grants/{id}/budget");
    }

    private async Task<IActionResult> Done(Guid id, IResult result, string success)
    {
        var outcome = Pages.Outcome.From(result);
        if (outcome.Ok)
        {
            TempData["Notice"] = success;
            return Redirect($"/grants/{id}/budget");
        }

        Outcome = outcome;
        if (result is ProblemHttpResult { ProblemDetails.Extensions: var extensions } && extensions.TryGetValue("errors", out var errors) &&
            errors is IEnumerable<object> rows)
        {
            Rows = rows.Select(r => r.ToString() ?? "").Select(Describe).ToList();
        }

        return await Load(id) ? Page() : NotFound();
    }

    private static string Describe(string row) => row.Replace("{", "").Replace("}", "").Replace(" row = ", "Row ").Replace(", field = ", ", ").Replace(", message = ", ": ");

    private async Task<bool> Load(Guid id)
    {
        if (await BudgetReportEndpoints.ForGrant(id, session, User) is not Ok<GrantBudgetResponse> ok ||
            await ExpenditureQueries.List(id, session, User) is not Ok<List<ExpenditureReportView>> reports)
        {
            return false;
        }

        (Budget, Reports) = (ok.Value!, reports.Value!);
        return true;
    }
}
