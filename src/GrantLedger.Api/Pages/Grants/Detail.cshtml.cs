using System.Globalization;
using GrantLedger.Api.Grants;
using GrantLedger.Api.Http;
using GrantLedger.Api.Identity;
using GrantLedger.Api.Milestones;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;
using NodaTime.Text;

namespace GrantLedger.Api.Pages.Grants;

public sealed record ReceiptForm(string Amount = "", string Currency = "", string BankReference = "");

public sealed record PaymentRequestForm(string Amount = "", string TrancheId = "", string Note = "");
public sealed record ReturnForm(string Amount = "", string ValueDate = "", string BankReason = "", string BankReference = "");

public sealed record DisbursementForm(string Amount = "", string ValueDate = "", string Reference = "", string OverrideReason = "");

/// <summary>
/// One grant. Every change goes through the same endpoint methods the API serves (validation, decision, idempotency,
/// events), so the page adds no rule of its own; it only turns their answers into sentences.
/// </summary>
[Authorize(Policy = Policies.ReadGrants)]
public sealed class GrantDetailModel(IDocumentStore store, Wolverine.IMessageBus bus, IAuthorizationService authorization) : PageModel
{
    public GrantDetailsResponse Grant { get; private set; } = null!;
    public IReadOnlyDictionary<Guid, IReadOnlyList<EvidenceFileView>> Evidence { get; private set; } = new Dictionary<Guid, IReadOnlyList<EvidenceFileView>>();
    public IReadOnlyDictionary<Guid, string> RejectionReasons { get; private set; } = new Dictionary<Guid, string>();

    public Outcome? Outcome { get; private set; }

    /// <summary>The row (disbursement, amendment) a refused form was sent from, so its messages stand next to its fields.</summary>
    public Guid? ActedOn { get; private set; }

    /// <summary>The organisation the grant is bound to, its accounts as this user may see them (masked except for finance and approvers).</summary>
    public GrantLedger.Api.Organisations.OrganisationView? Organisation { get; private set; }

    public ReceiptForm Receipt { get; private set; } = new();
    public DisbursementForm Form { get; private set; } = new();
    public ReturnForm Return { get; private set; } = new();
    public string NewIdempotencyKey { get; } = Guid.NewGuid().ToString("N");

    public async Task<IActionResult> OnGetAsync(Guid id) => await Load(id) ? Page() : NotFound();

    /// <summary>Who asked for each payment request, by user id (the grant's requests name users by id).</summary>
    public IReadOnlyDictionary<string, string> Requesters { get; private set; } = new Dictionary<string, string>();

    /// <summary>The grantee's payment request form, as sent, when it was refused.</summary>
    public PaymentRequestForm RequestForm { get; private set; } = new();

    /// <param name="paymentRequestId">Set by "Pay this request…": the payment settles the grantee's request.</param>
    public async Task<IActionResult> OnPostDisburseAsync(Guid id, string idempotencyKey, long? expectedVersion, Guid? trancheId,
        string amount, string valueDate, string reference, string? overrideReason, Guid? bankAccountId, Guid? paymentRequestId = null)
    {
        if (!await Can(Policies.Finance))
        {
            return Forbid();
        }

        ActedOn = paymentRequestId;

        Form = new DisbursementForm(amount, valueDate, reference, overrideReason ?? "");
        var date = LocalDatePattern.Iso.Parse(valueDate ?? "");
        if (!decimal.TryParse(amount, NumberStyles.Number, CultureInfo.InvariantCulture, out var value) || !date.Success)
        {
            Outcome = new Outcome(false, "Enter the amount as a number (e.g. 12500.00) and the value date.", new Dictionary<string, string[]>(), false);
            return await Load(id) ? Page() : NotFound();
        }

        // A double-click or a resubmitted form carries the same key: the ledger pays once and answers as the first time.
        HttpContext.Request.Headers[IdempotencyRecord.HeaderName] = idempotencyKey;
        var request = new RecordDisbursementRequest(value, date.Value, reference ?? "", null, null, expectedVersion, trancheId,
            string.IsNullOrWhiteSpace(overrideReason) ? null : new HoldOverrideRequest(overrideReason), PaymentRequestId: paymentRequestId,
            BankAccountId: bankAccountId);
        var invalid = RecordDisbursementEndpoint.Validate(request, HttpContext);
        var result = invalid.Status is not null ? null : await RecordDisbursementEndpoint.Post(id, request, bus, HttpContext);
        var success = result is IValueHttpResult { Value: DisbursementCreated { Status: "awaiting-approval" } created }
            ? SharedResource.Localizer[created.Rule == Domain.Programmes.FourEyesRule.CumulativeWindow
                ? "The disbursement was recorded and awaits a second person's approval (with this grant's other recent payments it reaches the approval threshold)."
                : "The disbursement was recorded and awaits a second person's approval (it reaches the approval threshold)."].Value

            : "The disbursement was recorded.";
        return await Done(id, invalid.Status is not null ? Pages.Outcome.Invalid(invalid) : Pages.Outcome.From(result!), success);
    }

    public async Task<IActionResult> OnPostReverseAsync(Guid id, Guid disbursementId, string reason)
    {
        if (!await Can(Policies.Finance))
        {
            return Forbid();
        }

        ActedOn = disbursementId;
        var request = new ReverseDisbursementRequest(reason ?? "");
        var invalid = ReverseDisbursementEndpoint.Validate(request);
        if (invalid.Status is not null)
        {
            return await Done(id, Pages.Outcome.Invalid(invalid), "");
        }

        var success = "The disbursement was reversed.";
        var result = await bus.Send(new ReverseDisbursementCommand(id, disbursementId, request.Reason.Trim(), request.ExpectedVersion,
            RequestMetadata.From(HttpContext)), outcome =>
            {
                if (outcome.Body is ReversalRecorded { Status: "awaiting-approval" })
                {
                    success = "The reversal was requested; at or above the approval threshold a second person must approve it.";
                }

                return outcome.ToCreated("");
            }, HttpContext.RequestAborted);
        return await Done(id, Pages.Outcome.From(result), success);
    }

    /// <summary>Finance records that the bank sent a payment back; the form's key makes a resubmission answer as the first.</summary>
    public async Task<IActionResult> OnPostReturnAsync(Guid id, Guid disbursementId, string idempotencyKey, string amount, string valueDate,
        string bankReason, string? bankReference)
    {
        if (!await Can(Policies.Finance))
        {
            return Forbid();
        }

        ActedOn = disbursementId;
        Return = new ReturnForm(amount ?? "", valueDate ?? "", bankReason ?? "", bankReference ?? "");
        var date = LocalDatePattern.Iso.Parse(valueDate ?? "");
        var parsed = decimal.TryParse(amount, NumberStyles.Number, CultureInfo.InvariantCulture, out var value);
        if (!parsed || !date.Success)
        {
            var errors = new Dictionary<string, string[]>();
            if (!parsed) errors["amount"] = [SharedResource.Localizer["Enter the amount as a number (e.g. 12500.00)."].Value];
            if (!date.Success) errors["valueDate"] = [SharedResource.Localizer["Enter the value date of the bank's credit."].Value];
            return await Done(id, new Outcome(false, "Enter the amount as a number (e.g. 12500.00) and the value date.", errors, false), "");
        }

        HttpContext.Request.Headers[IdempotencyRecord.HeaderName] = idempotencyKey;
        var request = new ReturnDisbursementRequest(value, date.Value, bankReason ?? "", bankReference);
        var invalid = ReturnDisbursementEndpoint.Validate(request, HttpContext);
        return await Done(id, invalid.Status is not null
            ? Pages.Outcome.Invalid(invalid)
            : Pages.Outcome.From(await ReturnDisbursementEndpoint.Post(id, disbursementId, request, bus, HttpContext)),
            "The return from the bank was recorded; the amount is available to pay again.");
    }

    public async Task<IActionResult> OnPostApproveAsync(Guid id, Guid disbursementId) =>
        !await Can(Policies.Approve) ? Forbid() :
        await Done(id, Pages.Outcome.From(await bus.Send(new ApproveDisbursementCommand(id, disbursementId, null, null, RequestMetadata.From(HttpContext)),
            "", HttpContext.RequestAborted)), "The disbursement was approved and is now paid.");

    public async Task<IActionResult> OnPostConfirmAsync(Guid id, Guid milestoneId) =>
        !await Can(Policies.Finance) ? Forbid() :
        await Done(id, Pages.Outcome.From(await bus.Send(new ConfirmMilestoneCommand(id, milestoneId, null, null, Http.RequestMetadata.From(HttpContext)),
            "", HttpContext.RequestAborted)), "The milestone was confirmed.");

    public async Task<IActionResult> OnPostSubmitAsync(Guid id, Guid milestoneId, [FromServices] IOptions<MilestoneOptions> options)
    {
        ActedOn = milestoneId;
        return !await Can(Policies.Deliver) ? Forbid() : await Done(id, Pages.Outcome.From(await SubmitMilestoneEndpoint.Post(id, milestoneId, bus, options, HttpContext)),
            "Your submission was received; ECARO finance will review it.");
    }

    public async Task<IActionResult> OnPostRejectMilestoneAsync(Guid id, Guid milestoneId, string reason)
    {
        if (!await Can(Policies.Finance))
        {
            return Forbid();
        }

        ActedOn = milestoneId;
        var request = new RejectMilestoneRequest(reason ?? "");
        var invalid = RejectMilestoneEndpoint.Validate(request);
        return await Done(id, invalid.Status is not null ? Pages.Outcome.Invalid(invalid)
            : Pages.Outcome.From(await bus.Send(new RejectMilestoneCommand(id, milestoneId, request.Reason.Trim(), null, Http.RequestMetadata.From(HttpContext)),
                "", HttpContext.RequestAborted)), "The milestone was sent back with your reason.");
    }

    public async Task<IActionResult> OnPostProposeExtensionAsync(Guid id, string endDate, string reason)
    {
        if (!await Can(Policies.Finance))
        {
            return Forbid();
        }

        var date = LocalDatePattern.Iso.Parse(endDate ?? "");
        var request = new Amendments.ProposeAmendmentRequest(reason ?? "", EndDate: date.Success ? date.Value : null);
        var invalid = Amendments.ProposeAmendmentEndpoint.Validate(request);
        return await Done(id, invalid.Status is not null ? Pages.Outcome.Invalid(invalid)
            : Pages.Outcome.From(await Amendments.ProposeAmendmentEndpoint.Post(id, request, bus, HttpContext)), "The amendment was proposed; an approver must approve it.");
    }

    public async Task<IActionResult> OnPostApproveAmendmentAsync(Guid id, Guid amendmentId) =>
        !await Can(Policies.Approve) ? Forbid() :
        await Done(id, Pages.Outcome.From(await bus.Send(new Amendments.ApproveAmendmentCommand(id, amendmentId, RequestMetadata.From(HttpContext)),
            "", HttpContext.RequestAborted)), "The amendment was approved and is in effect.");

    /// <summary>The approver turns a payment awaiting approval down, with a reason (the same command as the API).</summary>
    public async Task<IActionResult> OnPostRejectAsync(Guid id, Guid disbursementId, string reason)
    {
        if (!await Can(Policies.Approve))
        {
            return Forbid();
        }

        ActedOn = disbursementId;
        var request = new RejectDisbursementRequest(reason ?? "");
        var invalid = RejectDisbursementEndpoint.Validate(request);
        return await Done(id, invalid.Status is not null ? Pages.Outcome.Invalid(invalid)
            : Pages.Outcome.From(await bus.Send(new RejectDisbursementCommand(id, disbursementId, request.Reason.Trim(), null, RequestMetadata.From(HttpContext)),
                "", HttpContext.RequestAborted)), "The payment was rejected; nothing was paid.");
    }

    /// <summary>The approver turns a proposed amendment down; the page asks for the reason the API makes optional.</summary>
    public async Task<IActionResult> OnPostRejectAmendmentAsync(Guid id, Guid amendmentId, string reason)
    {
        if (!await Can(Policies.Approve))
        {
            return Forbid();
        }

        ActedOn = amendmentId;
        var invalid = new RequestCheck().Text("reason", reason, InputLimits.Reason).Result();
        return await Done(id, invalid.Status is not null ? Pages.Outcome.Invalid(invalid)
            : Pages.Outcome.From(await bus.Send(new Amendments.RejectAmendmentCommand(id, amendmentId, reason.Trim(), RequestMetadata.From(HttpContext)),
                "", HttpContext.RequestAborted)), "The amendment was rejected; nothing changed.");
    }

    /// <summary>The grantee confirms what a payment came to in its account (the actual rate its spending is valued at).</summary>
    public async Task<IActionResult> OnPostReceiptAsync(Guid id, Guid disbursementId, string amount, string currency, string? bankReference)
    {
        if (!await Can(Policies.Deliver))
        {
            return Forbid();
        }

        ActedOn = disbursementId;
        Receipt = new ReceiptForm(amount ?? "", currency ?? "", bankReference ?? "");
        if (!decimal.TryParse(amount, NumberStyles.Number, CultureInfo.InvariantCulture, out var value))
        {
            return await Done(id, new Outcome(false, "Some fields need attention.",
                new Dictionary<string, string[]> { ["amount"] = ["Enter the amount that arrived as a number, e.g. 2985600.00."] }, false), "");
        }

        var request = new ReceiptRequest(value, (currency ?? "").Trim().ToUpperInvariant(), bankReference);
        var invalid = ConfirmReceiptEndpoint.Validate(request);
        return await Done(id, invalid.Status is not null ? Pages.Outcome.Invalid(invalid)
            : Pages.Outcome.From(await ConfirmReceiptEndpoint.Post(id, disbursementId, request, bus, HttpContext)),
            "Thank you: the amount that arrived was recorded.");
    }

    /// <summary>The grantee asks for a payment: the same form reading and command as <c>POST /api/grants/{id}/payment-requests</c>.</summary>
    public async Task<IActionResult> OnPostRequestPaymentAsync(Guid id, [FromServices] IOptions<MilestoneOptions> options)
    {
        if (!await Can(Policies.Deliver))
        {
            return Forbid();
        }

        var form = await Request.ReadFormAsync(HttpContext.RequestAborted);
        RequestForm = new PaymentRequestForm(form["amount"].ToString(), form["trancheId"].ToString(), form["note"].ToString());
        return await Done(id, Pages.Outcome.From(await RequestPaymentEndpoint.Post(id, bus, options, HttpContext)),
            "Your payment request was sent; ECARO finance will pay or decline it.");
    }

    /// <summary>Finance declines a payment request with the reason the grantee reads.</summary>
    public async Task<IActionResult> OnPostDeclineRequestAsync(Guid id, Guid requestId, string reason)
    {
        if (!await Can(Policies.Finance))
        {
            return Forbid();
        }

        ActedOn = requestId;
        var request = new DeclinePaymentRequestRequest(reason ?? "");
        var invalid = DeclinePaymentRequestEndpoint.Validate(request);
        return await Done(id, invalid.Status is not null ? Pages.Outcome.Invalid(invalid)
            : Pages.Outcome.From(await DeclinePaymentRequestEndpoint.Post(id, requestId, request, bus, HttpContext)),
            "The payment request was declined; the grantee sees your reason.");
    }

    /// <summary>The same policies as the API endpoints behind each button.</summary>
    private async Task<bool> Can(string policy) => (await authorization.AuthorizeAsync(User, policy)).Succeeded;

    private async Task<IActionResult> Done(Guid id, Outcome outcome, string success)
    {
        if (outcome.Ok)
        {
            TempData["Notice"] = success;
            return Redirect($"/grants/{id}");
        }

        Outcome = outcome;
        return await Load(id) ? Page() : NotFound();
    }

    private async Task<bool> Load(Guid id)
    {
        await using var query = store.QuerySession();
        if (await GrantDetailsEndpoints.Get(id, query, User) is not Ok<GrantDetailsResponse> ok)
        {
            return false;
        }

        Grant = ok.Value!;
        Requesters = await PaymentRequestsModel.NamesOf(query, Grant.PaymentRequests?.Select(r => r.RequestedBy) ?? []);
        Organisation = Grant.OrganisationId is { } organisationId
            && await GrantLedger.Api.Organisations.OrganisationQueries.Visible(query, organisationId, CurrentUser.From(User)) is { } organisation
            ? GrantLedger.Api.Organisations.OrganisationView.From(organisation, CurrentUser.From(User))
            : null;

        if (await MilestoneQueryEndpoints.ForGrant(id, query, User) is Ok<List<MilestoneView>> milestones)
        {
            Evidence = milestones.Value!.ToDictionary(m => m.Id, m => (IReadOnlyList<EvidenceFileView>)m.Submissions.SelectMany(x => x.Files).ToList());
            RejectionReasons = milestones.Value!.Where(m => m.RejectionReason is not null).ToDictionary(m => m.Id, m => m.RejectionReason!);
        }

        return true;
    }
}
