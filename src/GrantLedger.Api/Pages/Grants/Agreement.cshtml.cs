using GrantLedger.Api.Grants;
using GrantLedger.Api.Identity;
using GrantLedger.Api.Milestones;
using GrantLedger.Domain.Milestones;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using NodaTime.Text;

namespace GrantLedger.Api.Pages.Grants;

/// <summary>
/// The grant agreement's payment schedule: tranches, each with the milestone that gates it, and the milestones. Adding a
/// tranche, planning a milestone and restating the whole plan go through the same endpoint methods as
/// <c>POST/PUT /api/grants/{id}/tranches</c> and <c>POST /api/grants/{id}/milestones</c>, at the version the page showed.
/// </summary>
[Authorize(Policy = Policies.Finance)]
public sealed class GrantAgreementModel(IQuerySession session, Wolverine.IMessageBus bus) : PageModel
{
    public GrantDetailsResponse Grant { get; private set; } = null!;
    public Outcome? Outcome { get; private set; }

    /// <summary>Which of the page's forms was sent, so a refusal is shown in that form.</summary>
    public string? Sent { get; private set; }

    public IReadOnlyDictionary<string, string> Typed { get; private set; } = new Dictionary<string, string>();

    public async Task<IActionResult> OnGetAsync(Guid id) => await Load(id) ? Page() : NotFound();

    public async Task<IActionResult> OnPostTrancheAsync(Guid id, string amount, long? expectedVersion)
    {
        (Sent, Typed) = ("tranche", new Dictionary<string, string> { ["trancheAmount"] = amount ?? "" });
        if (Ui.Parse(amount) is not { } value)
        {
            return await Refused(id, Outcome.Fields(new Dictionary<string, string[]> { ["trancheAmount"] = ["must be a number, with a dot for decimals."] }));
        }

        var request = new AddTrancheRequest(value, null, expectedVersion);
        var invalid = AddTrancheEndpoint.Validate(request);
        return await Done(id, invalid.Status is not null ? Outcome.Invalid(invalid) : Outcome.From(await AddTrancheEndpoint.Post(id, request, bus, HttpContext)),
            "The tranche was added to the payment schedule.", new Dictionary<string, string>
            {
                ["invalid-amount"] = "trancheAmount",
                ["tranche-plan-exceeded"] = "trancheAmount",
            });
    }

    public async Task<IActionResult> OnPostMilestoneAsync(Guid id, string title, string kind, string dueDate, string? gatesTrancheId, long? expectedVersion)
    {
        (Sent, Typed) = ("milestone", new Dictionary<string, string> { ["title"] = title ?? "", ["kind"] = kind ?? "", ["dueDate"] = dueDate ?? "" });
        var due = LocalDatePattern.Iso.Parse(dueDate ?? "");
        if (!due.Success || !Enum.TryParse<MilestoneKind>(kind, ignoreCase: true, out var parsedKind))
        {
            var errors = new Dictionary<string, string[]>();
            if (!due.Success)
            {
                errors["dueDate"] = ["must be a date."];
            }

            if (!Enum.TryParse<MilestoneKind>(kind, ignoreCase: true, out _))
            {
                errors["kind"] = ["must be one of inception, interim, final, other."];
            }

            return await Refused(id, Outcome.Fields(errors));
        }

        var request = new PlanMilestoneRequest(title ?? "", parsedKind, due.Value, Guid.TryParse(gatesTrancheId, out var gate) ? gate : null, expectedVersion);
        var invalid = PlanMilestoneEndpoint.Validate(request);
        return await Done(id, invalid.Status is not null ? Outcome.Invalid(invalid) : Outcome.From(await PlanMilestoneEndpoint.Post(id, request, bus, HttpContext)),
            request.GatesTrancheId is null ? "The milestone was planned." : "The milestone was planned; its tranche is paid only after it is confirmed.",
            new Dictionary<string, string>
            {
                ["tranche-not-found"] = "gatesTrancheId",
                ["tranche-already-gated"] = "gatesTrancheId",
            });
    }

    public async Task<IActionResult> OnPostRestateAsync(Guid id, string[] trancheId, string[] milestoneId, string[] amount, string reason, long? expectedVersion)
    {
        Sent = "restate";
        var typed = new Dictionary<string, string> { ["reason"] = reason ?? "" };
        var lines = new List<AmendedTranche>();
        var errors = new Dictionary<string, string[]>();
        for (var i = 0; i < amount.Length; i++)
        {
            typed[$"amount{i}"] = amount[i] ?? "";
            var existing = i < trancheId.Length && Guid.TryParse(trancheId[i], out var t) ? t : (Guid?)null;
            if (string.IsNullOrWhiteSpace(amount[i]))
            {
                // A line left empty is not in the restated plan; the ledger refuses that for a tranche paid against or gated.
                continue;
            }

            if (Ui.Parse(amount[i]) is not { } value)
            {
                errors["tranches"] = [$"line {i + 1}: must be a number, with a dot for decimals."];

                continue;
            }

            lines.Add(new AmendedTranche(value, existing, i < milestoneId.Length && Guid.TryParse(milestoneId[i], out var m) ? m : null));
        }

        Typed = typed;
        if (errors.Count > 0)
        {
            return await Refused(id, Outcome.Fields(errors));
        }

        var request = new AmendTranchePlanRequest(lines, reason ?? "", expectedVersion);
        var invalid = AmendTranchePlanEndpoint.Validate(request);
        return await Done(id, invalid.Status is not null ? Outcome.Invalid(invalid) : Outcome.From(await AmendTranchePlanEndpoint.Put(id, request, bus, HttpContext)),
            "The payment schedule was restated; the previous one stays in the history.", new Dictionary<string, string>
            {
                ["invalid-amount"] = "tranches",
                ["tranche-plan-exceeded"] = "tranches",
                ["tranche-below-paid"] = "tranches",
                ["tranche-not-found"] = "tranches",
                ["duplicate-tranche"] = "tranches",
                ["gate-change-needs-amendment"] = "tranches",
                ["milestone-not-found"] = "tranches",
            });
    }

    /// <summary>
    /// New due dates for planned milestones: an amendment (the command of <c>POST /api/grants/{id}/amendments</c> with
    /// <c>milestones</c>) that takes effect when a second person approves it on the grant page.
    /// </summary>
    public async Task<IActionResult> OnPostMoveMilestonesAsync(Guid id, [FromForm] Dictionary<Guid, string> due, string reason)
    {
        if (!await Load(id))
        {
            return NotFound();
        }

        var errors = new Dictionary<string, string[]>();
        var moves = new List<Amendments.MilestoneDateRequest>();
        var typed = new Dictionary<string, string> { ["moveReason"] = reason ?? "" };
        foreach (var milestone in Grant.Milestones)
        {
            if (!due.TryGetValue(milestone.Id, out var text) || string.IsNullOrWhiteSpace(text))
            {
                continue;
            }

            typed[$"due-{milestone.Id}"] = text;
            var parsed = NodaTime.Text.LocalDatePattern.Iso.Parse(text.Trim());
            if (!parsed.Success)
            {
                errors[$"due-{milestone.Id}"] = ["must be a date."];
            }
            else if (parsed.Value != milestone.DueDate)
            {
                moves.Add(new Amendments.MilestoneDateRequest(milestone.Id, parsed.Value));
            }
        }

        Typed = typed;
        if (errors.Count == 0 && moves.Count == 0)
        {
            errors["milestones"] = ["Change at least one due date."];
        }

        if (errors.Count > 0)
        {
            return await Refused(id, Outcome.Fields(errors));
        }

        var request = new Amendments.ProposeAmendmentRequest(reason ?? "", Milestones: moves);
        var invalid = Amendments.ProposeAmendmentEndpoint.Validate(request);
        return await Done(id, invalid.Status is not null ? Outcome.Invalid(invalid)
                : Outcome.From(await Amendments.ProposeAmendmentEndpoint.Post(id, request, bus, HttpContext)),
            "The new due dates were proposed as an amendment; they take effect when an approver approves it on the grant page.",
            new Dictionary<string, string>
            {
                ["milestone-not-found"] = "milestones",
            });
    }

    private async Task<IActionResult> Done(Guid id, Outcome outcome, string success, IReadOnlyDictionary<string, string> fieldOfCode)
    {
        if (outcome.Ok)
        {
            TempData["Notice"] = success;
            return Redirect($"/grants/{id}/agreement");
        }

        return await Refused(id, outcome.Placed(fieldOfCode));
    }

    private async Task<IActionResult> Refused(Guid id, Outcome outcome)
    {
        Outcome = outcome;
        return await Load(id) ? Page() : NotFound();
    }

    public string TypedOr(string field, string fallback) => Typed.TryGetValue(field, out var value) ? value : fallback;

    private async Task<bool> Load(Guid id)
    {
        if (await GrantDetailsEndpoints.Get(id, session, User) is not Ok<GrantDetailsResponse> ok)
        {
            return false;
        }

        Grant = ok.Value!;
        return true;
    }
}
