using GrantLedger.Api.Identity;
using GrantLedger.Api.Programmes;
using GrantLedger.Domain.Budgets;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using NodaTime.Text;

namespace GrantLedger.Api.Pages.Programmes;

/// <summary>What finance typed into the programme form, kept to show again when the ledger refuses it.</summary>
public sealed record ProgrammeForm(string Code = "", string Name = "", string Allocation = "", string WindowStart = "", string WindowEnd = "",
    string TimeZone = "Asia/Bishkek", string ApprovalThreshold = "", string ApprovalWindowDays = "30", string Headings = "",
    string IndirectCostCap = "7", string ReallocationCap = "25", string SpendThreshold = "70", string Reason = "");

/// <summary>
/// Open a programme with its rules, through the same endpoint method as <c>POST /api/programmes</c> (its
/// <see cref="OpenProgrammeEndpoint.Validate"/> first, then the command through the one door): the page adds no rule.
/// </summary>
[Authorize(Policy = Policies.Finance)]
public sealed class NewProgrammeModel(Wolverine.IMessageBus bus) : PageModel
{
    /// <summary>Which field each refusal of the ledger is about.</summary>
    public static readonly IReadOnlyDictionary<string, string> FieldOfCode = new Dictionary<string, string>
    {
        ["programme-code-taken"] = "code",
        ["invalid-amount"] = "allocation",
        ["invalid-approval-threshold"] = "approvalThreshold",
        ["approval-threshold-above-allocation"] = "approvalThreshold",
        ["invalid-approval-window"] = "approvalWindowDays",
        ["invalid-window"] = "windowEnd",
    };

    public ProgrammeForm Form { get; private set; } = new(Headings: string.Join(Environment.NewLine, BudgetRules.Default.Headings));
    public Outcome? Outcome { get; private set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(ProgrammeForm form)
    {
        Form = form;
        var errors = new Dictionary<string, string[]>();
        decimal? Figure(string field, string? text, bool required)
        {
            if (string.IsNullOrWhiteSpace(text))
            {
                if (required)
                {
                    errors[field] = ["is required."];
                }

                return null;
            }

            var value = Ui.Parse(text);
            if (value is null)
            {
                errors[field] = ["must be a number, with a dot for decimals (e.g. 12500.00)."];
            }

            return value;
        }

        NodaTime.LocalDate Date(string field, string? text)
        {
            var parsed = LocalDatePattern.Iso.Parse(text ?? "");
            if (!parsed.Success)
            {
                errors[field] = ["must be a date."];
            }

            return parsed.Success ? parsed.Value : default;
        }

        var allocation = Figure("allocation", form.Allocation, required: true);
        var threshold = Figure("approvalThreshold", form.ApprovalThreshold, required: false);
        var (indirect, reallocation, spend) = (Figure("indirectCostCap", form.IndirectCostCap, true), Figure("reallocationCap", form.ReallocationCap, true),
            Figure("spendThreshold", form.SpendThreshold, true));
        var (start, end) = (Date("windowStart", form.WindowStart), Date("windowEnd", form.WindowEnd));
        int? windowDays = null;
        if (!string.IsNullOrWhiteSpace(form.ApprovalWindowDays))
        {
            if (int.TryParse(form.ApprovalWindowDays.Trim(), out var days))
            {
                windowDays = days;
            }
            else
            {
                errors["approvalWindowDays"] = ["must be a whole number of days."];
            }
        }

        if (errors.Count > 0)
        {
            Outcome = Outcome.Fields(errors);
            return Page();
        }

        var headings = (form.Headings ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var request = new OpenProgrammeRequest(form.Code ?? "", form.Name ?? "", "EUR", allocation!.Value, start, end, form.TimeZone,
            string.IsNullOrWhiteSpace(form.Reason) ? null : form.Reason, threshold,
            new BudgetRulesRequest(headings.Length == 0 ? null : headings, indirect / 100m, reallocation / 100m, spend / 100m), windowDays);
        var invalid = OpenProgrammeEndpoint.Validate(request);
        if (invalid.Status is not null)
        {
            Outcome = Outcome.Invalid(invalid);
            return Page();
        }

        var result = await OpenProgrammeEndpoint.Post(request, bus, HttpContext);
        if (result is IValueHttpResult { Value: StreamCreated created })
        {
            TempData["Notice"] = SharedResource.Localizer["Programme {0} was opened.", request.Code.Trim()].Value;

            return Redirect($"/programmes/{created.Id}");
        }

        Outcome = Outcome.From(result).Placed(FieldOfCode);
        return Page();
    }
}
