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

    /// <summary>The grant's amount and the programme's budget rules, for the set-the-budget form (finance only).</summary>
    public decimal GrantAmount { get; private set; }
    public GrantLedger.Domain.Budgets.BudgetRules Rules { get; private set; } = GrantLedger.Domain.Budgets.BudgetRules.Default;

    /// <summary>The lines as typed, shown again when the ledger refuses them.</summary>
    public IReadOnlyList<BudgetLineRequest>? TypedLines { get; private set; }

    /// <summary>Set (or replace) the budget through the same endpoint method as <c>PUT /api/grants/{id}/budget</c>; every
    /// line the ledger refuses is shown next to that line's field.</summary>
    public async Task<IActionResult> OnPostSetAsync(Guid id, string[] code, string[] heading, string[] description, string[] amount, long? expectedVersion)
    {
        if (!(await authorization.AuthorizeAsync(User, Policies.Finance)).Succeeded)
        {
            return Forbid();
        }

        var lines = new List<BudgetLineRequest>();
        var typed = new List<BudgetLineRequest>();
        var errors = new Dictionary<string, string[]>();
        for (var i = 0; i < amount.Length; i++)
        {
            string At(string[] values) => i < values.Length ? values[i] ?? "" : "";
            var line = new BudgetLineRequest(At(heading), At(description).Trim(), Ui.Parse(At(amount)) ?? 0m, string.IsNullOrWhiteSpace(At(code)) ? null : At(code).Trim());
            typed.Add(line with { Description = At(description), Code = At(code) });
            if (string.IsNullOrWhiteSpace(At(description)) && string.IsNullOrWhiteSpace(At(amount)) && string.IsNullOrWhiteSpace(At(code)))
            {
                continue; // an empty row of the form is not a line
            }

            if (Ui.Parse(At(amount)) is null)
            {
                errors[$"line{i}-amount"] = ["must be a number, with a dot for decimals."];
            }

            lines.Add(line);
        }

        TypedLines = typed;
        if (errors.Count > 0)
        {
            Outcome = Outcome.Fields(errors);
            return await Load(id) ? Page() : NotFound();
        }

        var request = new SetBudgetRequest(lines, expectedVersion);
        var invalid = SetBudgetEndpoint.Validate(request);
        var result = invalid.Status is not null ? Results.Problem(invalid) : await SetBudgetEndpoint.Put(id, request, bus, HttpContext);
        var outcome = Pages.Outcome.From(result).Placed(new Dictionary<string, string>
        {
            ["budget-total-mismatch"] = "lines",
            ["indirect-cost-cap-exceeded"] = "lines",
        });
        if (outcome.Ok)
        {
            TempData["Notice"] = "The budget was set.";
            return Redirect($"/grants/{id}/budget");
        }

        // Each refused line is reported by its row (1-based among the lines sent): put it next to that row's field.
        if (result is ProblemHttpResult { ProblemDetails.Extensions: var extensions } && extensions.TryGetValue("errors", out var rows) && rows is not null)
        {
            var fields = new Dictionary<string, string[]>(outcome.FieldErrors);
            var formRows = Enumerable.Range(0, amount.Length).Where(i => !(string.IsNullOrWhiteSpace(i < description.Length ? description[i] : null) &&
                string.IsNullOrWhiteSpace(amount[i]) && string.IsNullOrWhiteSpace(i < code.Length ? code[i] : null))).ToList();
            foreach (var row in JsonSerializer.SerializeToElement(rows).EnumerateArray())
            {
                var (number, field, message) = (row.GetProperty("row").GetInt32(), row.GetProperty("field").GetString(), row.GetProperty("message").GetString());
                var formRow = number >= 1 && number <= formRows.Count ? formRows[number - 1] : 0;
                fields[$"line{formRow}-{field}"] = [message ?? ""];
            }

            outcome = outcome with { FieldErrors = fields };
        }

        Outcome = outcome;
        return await Load(id) ? Page() : NotFound();
    }

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
        if (await session.LoadAsync<GrantLedger.Domain.Grants.Grant>(id, HttpContext.RequestAborted) is { } grant)
        {
            GrantAmount = grant.Amount.Amount;
            Rules = (await session.LoadAsync<GrantLedger.Domain.Programmes.Programme>(grant.ProgrammeId, HttpContext.RequestAborted))?.Rules ?? Rules;
        }

        return true;
    }
}
