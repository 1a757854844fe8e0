using GrantLedger.Api.Identity;
using GrantLedger.Api.Programmes;
using GrantLedger.Api.Reports;
using GrantLedger.Reports.Models;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using NodaTime;

namespace GrantLedger.Api.Pages.Programmes;

/// <summary>
/// The programme dashboard, from stored snapshots only: the summary (as GET /api/programmes/{id}) and the monthly chart
/// from the <c>Programme</c> document and the lines kept per grant from the <c>Grant</c> documents
/// (<see cref="ProgrammeDashboardLines"/>), with the same month arithmetic as the PDF report (<see cref="ReportModels.Months"/>).
/// No event is read or folded, and no grant snapshot deserialised unless it changed since its line was computed.
/// </summary>
[Authorize(Policy = Policies.ReadProgrammes)]
public sealed class ProgrammeDetailModel(IQuerySession session, ProgrammeDashboardLines lines, IAuthorizationService authorization) : PageModel
{
    /// <summary>Which field each refusal of a rule change is about.</summary>
    private static readonly IReadOnlyDictionary<string, string> FieldOfCode = new Dictionary<string, string>
    {
        ["invalid-approval-threshold"] = "approvalThreshold",
        ["approval-threshold-above-allocation"] = "approvalThreshold",
        ["invalid-approval-window"] = "windowDays",
    };

    public ProgrammeSummaryResponse Programme { get; private set; } = null!;
    public IReadOnlyList<MonthLine> Months { get; private set; } = [];
    public Outcome? Outcome { get; private set; }
    public ApprovalRulesForm Rules { get; private set; } = new();
    public PeriodsResponse Periods { get; private set; } = null!;

    /// <summary>A refused close or reopening request, and what was typed, shown at its form in "Books".</summary>
    public Outcome? BooksOutcome { get; private set; }
    public string? BooksAction { get; private set; }
    public PeriodForm BooksForm { get; private set; } = new();

    /// <summary>Finance closes a month (the command of <c>POST /api/programmes/{id}/periods/{month}/close</c>).</summary>
    public Task<IActionResult> OnPostClosePeriodAsync(Guid id, PeriodForm form, [FromServices] Wolverine.IMessageBus bus) =>
        Books(id, "close", form, bus, month => PeriodEndpoints.Close(id, month, new ClosePeriodRequest(form.Text), bus, HttpContext),
            "The month was closed: nothing dated in it is accepted any more.");

    /// <summary>Finance asks to reopen a closed month (<c>POST .../periods/{month}/reopen</c>); another approver decides on the approvals page.</summary>
    public Task<IActionResult> OnPostReopenPeriodAsync(Guid id, PeriodForm form, [FromServices] Wolverine.IMessageBus bus) =>
        Books(id, "reopen", form, bus, month =>
        {
            var request = new ReopenPeriodRequest(form.Text ?? "");
            var invalid = RequestReopeningEndpoint.Validate(request);
            return invalid.Status is not null ? Task.FromResult<IResult>(Results.Problem(invalid)) : RequestReopeningEndpoint.Post(id, month, request, bus, HttpContext);
        }, "The request to reopen the month was recorded; it reopens when another approver approves it on the approvals page.");

    private async Task<IActionResult> Books(Guid id, string action, PeriodForm form, Wolverine.IMessageBus bus, Func<string, Task<IResult>> send, string success)
    {
        if (!(await authorization.AuthorizeAsync(User, Policies.Finance)).Succeeded)
        {
            return Forbid();
        }

        var outcome = Outcome.From(await send((form.Month ?? "").Trim()))
            .Placed(new Dictionary<string, string>
            {
                ["period-not-ended"] = "month", ["period-already-closed"] = "month", ["period-outside-window"] = "month",
                ["period-not-closed"] = "month", ["reopening-pending"] = "month",
            });
        if (outcome.Ok)
        {
            TempData["Notice"] = success;
            return Redirect($"/programmes/{id}#books");
        }

        (BooksOutcome, BooksAction, BooksForm) = (outcome, action, form);
        return await Load(id) ? Page() : NotFound();
    }

    public async Task<IActionResult> OnGetAsync(Guid id) => await Load(id) ? Page() : NotFound();

    /// <summary>Finance proposes new approval rules (the command of <c>POST /api/programmes/{id}/approval-rules</c>); another approver decides.</summary>
    public async Task<IActionResult> OnPostApprovalRulesAsync(Guid id, ApprovalRulesForm form, [FromServices] Wolverine.IMessageBus bus)
    {
        if (!(await authorization.AuthorizeAsync(User, Policies.Finance)).Succeeded)
        {
            return Forbid();
        }

        Rules = form;
        var errors = new Dictionary<string, string[]>();
        var threshold = Ui.Parse(form.ApprovalThreshold);
        if (threshold is null)
        {
            errors["approvalThreshold"] = ["must be a number, with a dot for decimals (e.g. 15000.00)."];
        }

        int? days = null;
        if (!string.IsNullOrWhiteSpace(form.WindowDays))
        {
            if (int.TryParse(form.WindowDays.Trim(), out var parsed))
            {
                days = parsed;
            }
            else
            {
                errors["windowDays"] = ["must be a whole number of days."];
            }
        }

        Outcome outcome;
        if (errors.Count > 0)
        {
            outcome = Outcome.Fields(errors);
        }
        else
        {
            var request = new ProposeApprovalRulesRequest(threshold!.Value, form.Reason ?? "", days, form.ExpectedVersion);
            var invalid = ProposeApprovalRulesEndpoint.Validate(request);
            outcome = invalid.Status is not null ? Outcome.Invalid(invalid)
                : Outcome.From(await ProposeApprovalRulesEndpoint.Post(id, request, bus, HttpContext)).Placed(FieldOfCode);
        }

        if (outcome.Ok)
        {
            TempData["Notice"] = "The new approval rules were proposed; they apply once another approver approves them on the approvals page.";
            return Redirect($"/programmes/{id}");
        }

        Outcome = outcome;
        return await Load(id) ? Page() : NotFound();
    }

    private async Task<bool> Load(Guid id)
    {
        var programme = await session.LoadAsync<GrantLedger.Domain.Programmes.Programme>(id, HttpContext.RequestAborted);
        if (programme is null)
        {
            return false;
        }

        var (grants, months) = await lines.ReadAsync(id, HttpContext.RequestAborted);
        Programme = ProgrammeSummaryEndpoints.Summary(programme, grants);
        Months = ReportModels.Months(programme, [months]);
        Periods = PeriodEndpoints.PeriodsOf(programme);
        return true;
    }
}

/// <summary>A month (<c>yyyy-MM</c>) and the note or reason typed with it.</summary>
public sealed record PeriodForm(string? Month = null, string? Text = null);

/// <summary>What finance typed into the approval-rules form, kept to show again with a refusal.</summary>
public sealed record ApprovalRulesForm(string ApprovalThreshold = "", string WindowDays = "", string Reason = "", long? ExpectedVersion = null);
