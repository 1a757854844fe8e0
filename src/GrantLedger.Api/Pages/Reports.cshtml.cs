using GrantLedger.Api.Grants;
using GrantLedger.Api.Http;
using GrantLedger.Api.Identity;
using GrantLedger.Api.Programmes;
using GrantLedger.Api.Reports;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Npgsql;
using Wolverine;

namespace GrantLedger.Api.Pages;

/// <summary>Ask for reports (the same command as POST /api/reports), watch them being generated, download and verify them.</summary>
[Authorize(Policy = Policies.ReadGrants)]
public sealed class ReportsModel(IQuerySession session, IMessageBus bus, GrantLedger.Api.Audit.ChainVerifier verifier) : PageModel
{
    public IReadOnlyList<ReportView> Reports { get; private set; } = [];
    public IReadOnlyList<ProgrammeListItem> Programmes { get; private set; } = [];
    public IReadOnlyList<GrantListItem> Grants { get; private set; } = [];
    public bool IsGrantee { get; private set; }
    public string? Message { get; private set; }
    public bool Ok { get; private set; }

    public async Task OnGetAsync()
    {
        Message = TempData["ReportMessage"] as string;
        Ok = TempData["ReportOk"] as bool? ?? false;
        await Load();
    }

    public async Task<IActionResult> OnPostRequestAsync(string kind, Guid? programmeId, Guid? grantId, string? asOf)
    {
        var request = new ReportRequest(kind, kind is "programme-financial" or "milestone-status" ? programmeId : null,
            kind == "grantee-statement" ? grantId : null, null, null, AsInstant(asOf));
        var invalid = RequestReportEndpoint.Validate(request);
        var outcome = invalid.Status is not null
            ? Outcome.Invalid(invalid)
            : Outcome.From(await bus.Send(RequestReportCommand.Of(request, RequestMetadata.From(HttpContext)), o => o.ToOk(), HttpContext.RequestAborted));
        (Ok, Message) = outcome.Ok
            ? (true, "The report is being generated; it appears below when ready.")
            : (false, outcome.FieldErrors.Count > 0 ? string.Join(" ", outcome.FieldErrors.SelectMany(e => e.Value)) : outcome.Message);
        return Back();
    }

    public async Task<IActionResult> OnPostVerifyAsync()
    {
        if (await VerifyReportEndpoint.Post(HttpContext, session, verifier) is Ok<ReportVerification> verified)
        {
            (Ok, Message) = (verified.Value!.Genuine, verified.Value.Verdict);
        }
        else
        {
            (Ok, Message) = (false, "The file could not be checked: upload a PDF.");
        }

        return Back();
    }

    /// <summary>Post, then redirect: reloading the page (as live progress does) never asks for another report.</summary>
    private RedirectResult Back()
    {
        TempData["ReportMessage"] = Message;
        TempData["ReportOk"] = Ok;
        return Redirect("/reports");
    }

    /// <summary>The picker gives a local date-time without zone; the page labels it UTC.</summary>
    private static string? AsInstant(string? picked)
    {
        if (string.IsNullOrWhiteSpace(picked))
        {
            return null;
        }

        var text = picked.Trim();
        return text.EndsWith('Z') ? text : (text.Length == 16 ? text + ":00" : text) + "Z";
    }

    private async Task Load()
    {
        IsGrantee = CurrentUser.From(User).IsGrantee;
        Reports = await ReportQueries.List(session, User);
        Grants = await GrantDetailsEndpoints.List(session, User);
        Programmes = IsGrantee ? [] : await ProgrammeSummaryEndpoints.List(session);
    }
}
