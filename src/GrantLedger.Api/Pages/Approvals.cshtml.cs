using GrantLedger.Api.Grants;
using GrantLedger.Api.Http;
using GrantLedger.Api.Identity;
using GrantLedger.Api.Programmes;
using GrantLedger.Domain.Grants;
using GrantLedger.Domain.Programmes;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Wolverine;

namespace GrantLedger.Api.Pages;

/// <summary>
/// Everything waiting for a second person that this approver may decide: payments, awards and reversals others asked
/// for, and changes of a programme's approval rules others proposed. Each button sends the same command as the API.
/// </summary>
[Authorize(Policy = Policies.Approve)]
public sealed class ApprovalsModel(IQuerySession session, IMessageBus bus) : PageModel
{
    public IReadOnlyList<(Grant Grant, Disbursement Disbursement)> Pending { get; private set; } = [];
    public IReadOnlyList<Grant> PendingAwards { get; private set; } = [];
    public IReadOnlyList<(Grant Grant, Disbursement Disbursement)> PendingReversals { get; private set; } = [];
    public IReadOnlyList<(Programme Programme, ApprovalRuleChange Change)> PendingRuleChanges { get; private set; } = [];
    public IReadOnlyList<(Programme Programme, PeriodReopening Request)> PendingReopenings { get; private set; } = [];
    public IReadOnlyList<(GrantLedger.Domain.Organisations.Organisation Organisation, GrantLedger.Domain.Organisations.BankAccount Account)> PendingAccounts { get; private set; } = [];
    public Outcome? Outcome { get; private set; }

    public bool Nothing => Pending.Count + PendingAwards.Count + PendingReversals.Count + PendingRuleChanges.Count + PendingReopenings.Count
        + PendingAccounts.Count == 0;

    /// <summary>What others asked for: nobody approves their own.</summary>
    public async Task OnGetAsync()
    {
        var me = CurrentUser.From(User).Id;
        var grants = await session.Query<Grant>().ToListAsync();
        Pending = grants
            .SelectMany(g => g.Disbursements.Where(d => d.IsReserved && d.RecordedBy != me).Select(d => (g, d)))
            .OrderBy(x => x.d.ValueDate)
            .ToList();
        PendingAwards = grants.Where(g => g.AwardState == AwardStatus.AwaitingApproval && g.AwardedBy != me).OrderBy(g => g.Grantee).ToList();
        PendingReversals = grants
            .SelectMany(g => g.Disbursements.Where(d => d.ReversalAwaitsApproval && d.ReversalRequestedBy != me).Select(d => (g, d)))
            .ToList();
        var programmes = await session.Query<Programme>().ToListAsync();
        PendingRuleChanges = programmes
            .SelectMany(p => p.RuleChanges.Where(c => c.Status == RuleChangeStatus.Proposed && c.ProposedBy != me).Select(c => (p, c)))
            .ToList();
        PendingReopenings = programmes
            .SelectMany(p => p.Reopenings.Where(r => r.Status == ReopeningStatus.Requested && r.RequestedBy != me).Select(r => (p, r)))
            .OrderBy(x => x.p.Code).ThenBy(x => x.r.Month)
            .ToList();
        PendingAccounts = (await session.Query<GrantLedger.Domain.Organisations.Organisation>().ToListAsync())
            .SelectMany(o => o.Accounts.Where(a => a.Status == GrantLedger.Domain.Organisations.BankAccountStatus.Proposed && a.ProposedBy != me).Select(a => (o, a)))
            .ToList();
    }

    public Task<IActionResult> OnPostApproveAccountAsync(Guid organisationId, Guid accountId) =>
        Done(new GrantLedger.Api.Organisations.DecideBankAccountCommand(organisationId, accountId, GrantLedger.Api.Organisations.BankAccountDecision.Approve, null, null,
            RequestMetadata.From(HttpContext)), "The bank account was approved: payments may be sent to it.");

    public Task<IActionResult> OnPostRejectAccountAsync(Guid organisationId, Guid accountId, string reason) =>
        Decide(reason, r => new GrantLedger.Api.Organisations.DecideBankAccountCommand(organisationId, accountId, GrantLedger.Api.Organisations.BankAccountDecision.Reject, r, null,
            RequestMetadata.From(HttpContext)), "The bank account was rejected; nothing can be paid to it.");

    public Task<IActionResult> OnPostRejectPaymentAsync(Guid grantId, Guid disbursementId, string reason) =>
        Decide(reason, r => new RejectDisbursementCommand(grantId, disbursementId, r, null, RequestMetadata.From(HttpContext)), "The payment was rejected; nothing was paid.");

    public Task<IActionResult> OnPostApproveAwardAsync(Guid grantId) =>
        Done(new ApproveAwardCommand(grantId, null, null, RequestMetadata.From(HttpContext)), "The award was approved; the grant can be paid.");

    public Task<IActionResult> OnPostRejectAwardAsync(Guid grantId, string reason) =>
        Decide(reason, r => new RejectAwardCommand(grantId, r, null, RequestMetadata.From(HttpContext)), "The award was rejected.");

    public Task<IActionResult> OnPostApproveReversalAsync(Guid grantId, Guid disbursementId) =>
        Done(new DecideReversalCommand(grantId, disbursementId, true, null, null, RequestMetadata.From(HttpContext)), "The reversal was approved and applied.");

    public Task<IActionResult> OnPostRejectReversalAsync(Guid grantId, Guid disbursementId, string reason) =>
        Decide(reason, r => new DecideReversalCommand(grantId, disbursementId, false, r, null, RequestMetadata.From(HttpContext)), "The reversal was rejected; the payment stands.");

    public Task<IActionResult> OnPostApproveRulesAsync(Guid programmeId, Guid proposalId) =>
        Done(new DecideApprovalRulesCommand(programmeId, proposalId, true, null, null, RequestMetadata.From(HttpContext)), "The new approval rules apply.");

    public Task<IActionResult> OnPostRejectRulesAsync(Guid programmeId, Guid proposalId, string reason) =>
        Decide(reason, r => new DecideApprovalRulesCommand(programmeId, proposalId, false, r, null, RequestMetadata.From(HttpContext)), "The proposed rules were rejected.");

    public Task<IActionResult> OnPostApproveReopeningAsync(Guid programmeId, Guid requestId) =>
        Done(new DecideReopeningCommand(programmeId, requestId, true, null, null, RequestMetadata.From(HttpContext)),
            "The month was reopened; payments dated in it are accepted again until it is closed again.");

    public Task<IActionResult> OnPostRejectReopeningAsync(Guid programmeId, Guid requestId, string reason) =>
        Decide(reason, r => new DecideReopeningCommand(programmeId, requestId, false, r, null, RequestMetadata.From(HttpContext)),
            "The request was rejected; the month stays closed.");

    /// <summary>A rejection needs a reason, capped as the API caps it.</summary>
    private async Task<IActionResult> Decide(string? reason, Func<string, ILedgerCommand> command, string success)
    {
        var invalid = new RequestCheck().Text("reason", reason, InputLimits.Reason).Result();
        if (invalid.Status is not null)
        {
            Outcome = Outcome.Invalid(invalid) with { Ok = false, Message = "Give a reason (at most 2,000 characters) to reject." };
            await OnGetAsync();
            return Page();
        }

        return await Done(command(reason!.Trim()), success);
    }

    private async Task<IActionResult> Done(ILedgerCommand command, string success)
    {
        var outcome = Outcome.From(await bus.Send(command, "", HttpContext.RequestAborted));
        if (outcome.Ok)
        {
            TempData["Notice"] = success;
            return Redirect("/approvals");
        }

        Outcome = outcome;
        await OnGetAsync();
        return Page();
    }
}
