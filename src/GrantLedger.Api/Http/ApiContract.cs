using GrantLedger.Api.Amendments;
using GrantLedger.Api.Audit;
using GrantLedger.Api.Budgets;
using GrantLedger.Api.Currencies;
using GrantLedger.Api.Expenditure;
using GrantLedger.Api.Grants;
using GrantLedger.Api.Health;
using GrantLedger.Api.Identity;
using GrantLedger.Api.Milestones;
using GrantLedger.Api.Notifications;
using GrantLedger.Api.Organisations;
using GrantLedger.Api.Programmes;
using GrantLedger.Api.Reports;

namespace GrantLedger.Api.Http;

/// <summary>
/// What every endpoint answers, as the OpenAPI document declares it (docs/api.md is the prose of the same table): its
/// success, and each problem status with the <c>code</c>s it can carry. Kept apart from the endpoints so that the
/// endpoints stay about the ledger. 401 and 403 are not listed here: they follow from the endpoint's authorization
/// (anonymous, signed in, or a policy); a JSON body adds 400 <c>malformed-request</c> and 415, any body 413
/// <c>payload-too-large</c> (InputLimits), query values add 400.
/// </summary>
public static class ApiContract
{
    public const string Json = "application/json";

    public static readonly RequestHeader IdempotencyKey = new(IdempotencyRecord.HeaderName, Required: true, MaxLength: IdempotencyRecord.MaxKeyLength,
        "Required. The same key and body on the same grant replays the first answer (with `Idempotent-Replayed: true`) and " +
        "records nothing new; the same key with a different body is `422 idempotency-key-reused`. Use a new key for each new " +
        "payment and the same key when retrying one.");

    public static readonly RequestHeader OptionalIdempotencyKey = new(IdempotencyRecord.HeaderName, Required: false, MaxLength: IdempotencyRecord.MaxKeyLength,
        "Optional. The same key and body for the same payment replays the first answer (with `Idempotent-Replayed: true`) and " +
        "records nothing new; the same key with a different body is `422 idempotency-key-reused`.");

    public static readonly ResponseHeader Location = new("Location", "The address of what was created or changed.");

    public static readonly ResponseHeader Replayed = new(IdempotencyRecord.ReplayedHeader,
        "`true` when the answer is a replay of the first answer for this `Idempotency-Key`: nothing new was recorded (no `Location` then).");

    private static readonly string[] PaymentRefusals =
    [
        "idempotency-key-reused", "currency-mismatch", "invalid-amount", "outside-window", "grantee-on-hold", "tranche-required",
        "tranche-not-found", "tranche-locked", "tranche-exceeded", "insufficient-reported-spend", "grant-exceeded",
        "award-awaiting-approval", "award-rejected", "payment-request-unknown", "payment-request-paid", "payment-request-declined",
        "payment-request-tranche-mismatch", "period-closed",
        "bank-account-required", "no-approved-bank-account", "bank-account-not-approved",
    ];

    private static readonly string[] ApprovalRuleRefusals =
        ["invalid-approval-threshold", "approval-threshold-above-allocation", "invalid-approval-window"];

    private static readonly string[] AmendmentRefusals =
    [
        "invalid-amount", "invalid-budget", "budget-total-mismatch", "indirect-cost-cap-exceeded", "empty-amendment",
        "allocation-exceeded", "amount-below-paid", "outside-window", "tranche-plan-exceeded", "tranche-not-found",
        "duplicate-tranche", "tranche-below-paid", "milestone-not-found",
    ];

    /// <summary>By <c>METHOD /route</c>, as the route is declared on the endpoint.</summary>
    public static readonly IReadOnlyDictionary<string, Operation> Operations = new Dictionary<string, Operation>
    {
        ["GET /health"] = Ok<HealthResponse>("Is this node ready? (the same checks as /health/ready; kept for older probes)")
            .Refuses(503, "database-unreachable").Refuses(503, "not-ready"),
        ["GET /health/live"] = Ok<HealthResponse>("Is the process alive? (no database call)"),
        ["GET /health/ready"] = Ok<HealthResponse>("Is this node ready: database reachable, schema applied, node registered, audit chain keeping up?")
            .Refuses(503, "database-unreachable").Refuses(503, "not-ready"),

        ["POST /api/auth/token"] = Ok<TokenResponse>("Sign in: exchange e-mail and password for a bearer token")
            .Refuses(401, "invalid-credentials").Refuses(429, "too-many-requests"),
        ["GET /api/me"] = Ok<MeResponse>("Who am I"),
        ["POST /api/me/password"] = Ok<UserView>("Change your own password (also after a one-time password)")
            .Refuses(422, "wrong-current-password", "same-password").Refuses(429, "too-many-requests"),
        ["PUT /api/me/language"] = Ok<LanguageResponse>("Set your language (en or ru) for pages, e-mail and grantee PDFs"),
        ["GET /api/me/preferences"] = Ok<MailPreferences>("Your e-mail preference").Refuses(404, "not-found"),
        ["PUT /api/me/preferences"] = Ok<MailPreferences>("Take non-essential e-mail or not (payment mail is always sent)")
            .Refuses(404, "not-found"),
        ["GET /api/mail/deliveries"] = Ok<MailDeliveryPage>("E-mail deliveries, newest first: recipient, kind, language, attempts, last error"),
        ["GET /api/users"] = Ok<IReadOnlyList<UserView>>("List users"),
        ["POST /api/users"] = Created<UserView>("Add a user").Refuses(422, "user-exists", "unknown-organisation"),
        ["POST /api/users/{id}/disable"] = Ok<UserView>("Disable a user: no sign-in, sessions and tokens end within a minute")
            .Refuses(404, "not-found").Refuses(422, "cannot-disable-self", "last-admin"),
        ["POST /api/users/{id}/enable"] = Ok<UserView>("Enable a user again (also ends a lockout)").Refuses(404, "not-found"),
        ["PUT /api/users/{id}/roles"] = Ok<UserView>("Change a user's roles and grantee organisation")
            .Refuses(404, "not-found").Refuses(422, "last-admin", "unknown-organisation"),
        ["POST /api/users/{id}/password-reset"] = Ok<UserView>("Set a one-time password the user must change at sign-in")
            .Refuses(404, "not-found"),
        ["GET /api/users/{id}/history"] = Ok<IReadOnlyList<UserHistoryEntry>>("A user's stream: every change, with actor and reason")
            .Refuses(404, "not-found"),
        ["POST /api/organisations"] = Created<OrganisationWritten>("Register a grantee organisation"),
        ["GET /api/organisations"] = Ok<IReadOnlyList<OrganisationView>>(
            "Organisations with contacts and bank accounts (a grantee: its own; numbers masked except to finance and approvers)"),
        ["GET /api/organisations/{id}"] = Ok<OrganisationView>("One organisation (404 to a grantee of another)").Refuses(404, "not-found"),
        ["PUT /api/organisations/{id}"] = Ok<OrganisationWritten>("Restate an organisation's details, with a reason")
            .Refuses(404, "not-found").Refuses(409, "version-conflict"),
        ["POST /api/organisations/{id}/bank-accounts"] = Created<OrganisationWritten>(
                "Propose a bank account (or a change to one: replaces); it takes effect when a second person approves it")
            .Refuses(404, "not-found").Refuses(409, "version-conflict")
            .Refuses(422, "invalid-bank-account", "invalid-iban", "invalid-account-number", "invalid-bic", "bank-account-not-approved"),
        ["POST /api/organisations/{id}/bank-accounts/{accountId}/approve"] = Created<OrganisationWritten>(
                "A second person approves a proposed bank account (never the proposer)")
            .Refuses(404, "not-found", "bank-account-not-found").Refuses(409, "version-conflict")
            .Refuses(422, "not-awaiting-approval", "same-person-approval"),
        ["POST /api/organisations/{id}/bank-accounts/{accountId}/reject"] = Created<OrganisationWritten>("Turn down a proposed bank account, with a reason")
            .Refuses(404, "not-found", "bank-account-not-found").Refuses(409, "version-conflict").Refuses(422, "not-awaiting-approval"),
        ["POST /api/organisations/{id}/bank-accounts/{accountId}/retire"] = Created<OrganisationWritten>(
                "Stop payments to an approved bank account, with a reason")
            .Refuses(404, "not-found", "bank-account-not-found").Refuses(409, "version-conflict").Refuses(422, "bank-account-not-approved"),
        ["GET /api/security/log"] = Ok<SecurityLogPage>("The security log: sign-ins, failures, lockouts, refusals, newest first"),

        ["GET /api/programmes"] = Ok<IReadOnlyList<ProgrammeListItem>>("Programmes with their totals"),
        ["GET /api/programmes/{id}"] = Ok<ProgrammeSummaryResponse>("One programme's summary and its grants").Refuses(404, "not-found"),
        ["GET /api/programmes/{programmeId}/budget"] = Ok<ProgrammeBudgetResponse>("Budget against actual of a programme and each grant")
            .Refuses(404, "not-found"),
        ["POST /api/programmes"] = Created<StreamCreated>("Open a programme")
            .Refuses(422, ["programme-code-taken", "invalid-amount", "invalid-window", .. ApprovalRuleRefusals]),
        ["POST /api/programmes/{programmeId}/approval-rules"] = Created<ApprovalRulesProposal>(
                "Propose a new approval threshold and window; they apply once another approver approves")
            .Refuses(404, "not-found").Refuses(409, "version-conflict").Refuses(422, ApprovalRuleRefusals),
        ["POST /api/programmes/{programmeId}/approval-rules/{proposalId}/approval"] = Created<ApprovalRulesProposal>(
                "A second person approves the proposed approval rules (never the proposer)")
            .Refuses(404, "not-found", "approval-rule-change-not-found").Refuses(409, "version-conflict")
            .Refuses(422, "not-awaiting-approval", "same-person-approval"),
        ["POST /api/programmes/{programmeId}/approval-rules/{proposalId}/rejection"] = Created<ApprovalRulesProposal>(
                "Turn the proposed approval rules down")
            .Refuses(404, "not-found", "approval-rule-change-not-found").Refuses(409, "version-conflict").Refuses(422, "not-awaiting-approval"),
        ["GET /api/programmes/{programmeId}/periods"] = Ok<PeriodsResponse>("The programme's closed months and requests to reopen one")
            .Refuses(404, "not-found"),
        ["POST /api/programmes/{programmeId}/periods/{month}/close"] = Created<PeriodAnswer>(
                "Close a month (yyyy-MM) of the books: nothing dated in it is accepted any more")
            .Refuses(404, "not-found").Refuses(409, "version-conflict")
            .Refuses(422, "period-not-ended", "period-already-closed", "period-outside-window"),
        ["POST /api/programmes/{programmeId}/periods/{month}/reopen"] = Created<PeriodAnswer>(
                "Ask to reopen a closed month; a second person approves")
            .Refuses(404, "not-found").Refuses(409, "version-conflict").Refuses(422, "period-not-closed", "reopening-pending"),
        ["POST /api/programmes/{programmeId}/periods/reopenings/{requestId}/approval"] = Created<PeriodAnswer>(
                "A second person reopens the month (never the requester)")
            .Refuses(404, "not-found", "reopening-not-found").Refuses(409, "version-conflict").Refuses(422, "not-awaiting-approval", "same-person-approval"),
        ["POST /api/programmes/{programmeId}/periods/reopenings/{requestId}/rejection"] = Created<PeriodAnswer>(
                "Turn a request to reopen a month down; it stays closed")
            .Refuses(404, "not-found", "reopening-not-found").Refuses(409, "version-conflict").Refuses(422, "not-awaiting-approval"),
        ["POST /api/programmes/{programmeId}/grants"] = Created<AwardCreated>(
                "Award a grant, optionally with a tranche plan; at or above the threshold it awaits a second person")
            .Refuses(404, "not-found").Refuses(409, "version-conflict")
            .Refuses(422, "currency-mismatch", "invalid-amount", "invalid-window", "outside-window", "allocation-exceeded", "tranche-plan-exceeded",
                "unknown-organisation"),

        ["GET /api/grants"] = Ok<IReadOnlyList<GrantListItem>>("Grants with totals, hold and pending approvals"),
        ["GET /api/grants/{id}"] = Ok<GrantDetailsResponse>("One grant: tranches, milestones, disbursements, amendments").Refuses(404, "not-found"),
        ["GET /api/grants/{id}/disbursements/{disbursementId}"] = Ok<DisbursementView>("One disbursement").Refuses(404, "not-found"),
        ["POST /api/grants/{grantId}/disbursements"] = Created<DisbursementCreated>("Record a payment", Replayed)
            .Takes(IdempotencyKey)
            .Refuses(404, "not-found").Refuses(409, "version-conflict").Refuses(422, PaymentRefusals),
        ["POST /api/grants/{grantId}/award/approval"] = Created<AwardDecided>("A second person approves an award awaiting approval")
            .Refuses(404, "not-found").Refuses(409, "version-conflict").Refuses(422, "not-awaiting-approval", "same-person-approval"),
        ["POST /api/grants/{grantId}/award/rejection"] = Created<AwardDecided>("Turn down an award awaiting approval; its commitment is released")
            .Refuses(404, "not-found").Refuses(409, "version-conflict").Refuses(422, "not-awaiting-approval"),
        ["POST /api/grants/{grantId}/disbursements/{disbursementId}/reversal"] = Created<ReversalRecorded>(
                "Reverse a payment recorded in error; at or above the threshold the reversal awaits a second person")
            .Refuses(404, "not-found", "disbursement-not-found").Refuses(409, "version-conflict")
            .Refuses(422, "already-reversed", "not-disbursed", "reversal-pending", "payment-returned", "period-closed"),
        ["POST /api/grants/{grantId}/disbursements/{disbursementId}/reversal/approval"] = Created<ReversalRecorded>(
                "A second person approves a requested reversal, which then applies")
            .Refuses(404, "not-found", "disbursement-not-found").Refuses(409, "version-conflict")
            .Refuses(422, "not-awaiting-approval", "same-person-approval"),
        ["POST /api/grants/{grantId}/disbursements/{disbursementId}/reversal/rejection"] = Created<ReversalRecorded>(
                "Turn down a requested reversal; the payment stands")
            .Refuses(404, "not-found", "disbursement-not-found").Refuses(409, "version-conflict").Refuses(422, "not-awaiting-approval"),
        ["POST /api/grants/{grantId}/disbursements/{disbursementId}/approval"] = Created<DisbursementDecided>("Approve a payment awaiting approval")
            .Refuses(404, "not-found", "disbursement-not-found").Refuses(409, "version-conflict")
            .Refuses(422, "not-awaiting-approval", "same-person-approval", "period-closed"),
        ["POST /api/grants/{grantId}/disbursements/{disbursementId}/return"] = Created<DisbursementReturnRecorded>(
                "Record that the bank sent a payment back (all or part); the grant can pay the amount again", Replayed)
            .Takes(OptionalIdempotencyKey)
            .Refuses(404, "not-found", "disbursement-not-found").Refuses(409, "version-conflict")
            .Refuses(422, "payment-not-returnable", "return-exceeds-payment", "return-before-payment", "invalid-amount", "period-closed", "idempotency-key-reused"),
        ["POST /api/grants/{grantId}/disbursements/{disbursementId}/rejection"] = Created<DisbursementDecided>("Turn down a payment awaiting approval")
            .Refuses(404, "not-found", "disbursement-not-found").Refuses(409, "version-conflict").Refuses(422, "not-awaiting-approval"),
        ["POST /api/grants/{grantId}/disbursements/{disbursementId}/receipt"] = Created<VersionResponse>("The grantee confirms what arrived, in its currency")
            .Refuses(404, "not-found", "disbursement-not-found").Refuses(409, "version-conflict")
            .Refuses(422, "not-disbursed", "currency-mismatch", "invalid-amount", "payment-returned", "period-closed"),
        ["POST /api/grants/{grantId}/tranches"] = Created<StreamCreated>("Add a tranche")
            .Refuses(404, "not-found").Refuses(409, "version-conflict").Refuses(422, "invalid-amount", "tranche-plan-exceeded", "milestone-not-found"),
        ["PUT /api/grants/{grantId}/tranches"] = Ok<TranchePlanResponse>("Amend (restate) the tranche plan")
            .Refuses(404, "not-found").Refuses(409, "version-conflict")
            .Refuses(422, "invalid-amount", "tranche-not-found", "milestone-not-found", "tranche-plan-exceeded", "duplicate-tranche",
                "gate-change-needs-amendment", "tranche-below-paid"),

        ["POST /api/grants/{grantId}/milestones"] = Created<StreamCreated>("Plan a milestone")
            .Refuses(404, "not-found").Refuses(409, "version-conflict").Refuses(422, "tranche-not-found", "tranche-already-gated"),
        ["GET /api/grants/{grantId}/milestones"] = Ok<IReadOnlyList<MilestoneView>>("The grant's milestones with submissions and files")
            .Refuses(404, "not-found"),
        ["GET /api/grants/{grantId}/milestones/{milestoneId}"] = Ok<MilestoneView>("One milestone").Refuses(404, "not-found"),
        ["POST /api/grants/{grantId}/milestones/{milestoneId}/submission"] = Created<SubmissionResponse>("The grantee delivers (multipart)")
            .Reads(RequestBody.Evidence)
            .Refuses(400, "too-many-files").Refuses(404, "not-found", "milestone-not-found").Refuses(409, "version-conflict")
            .Refuses(413, "evidence-too-large", "payload-too-large").Refuses(415, "unsupported-media-type", "unsupported-evidence-type")
            .Refuses(422, "evidence-required", "milestone-already-submitted", "milestone-already-confirmed").Refuses(429, "too-many-requests"),
        ["POST /api/grants/{grantId}/milestones/{milestoneId}/confirmation"] = Created<VersionResponse>("Finance accepts the submission")
            .Refuses(404, "not-found", "milestone-not-found").Refuses(409, "version-conflict")
            .Refuses(422, "milestone-already-confirmed", "milestone-not-submitted"),
        ["POST /api/grants/{grantId}/milestones/{milestoneId}/rejection"] = Created<VersionResponse>("Finance sends the submission back")
            .Refuses(404, "not-found", "milestone-not-found").Refuses(409, "version-conflict")
            .Refuses(422, "milestone-already-confirmed", "milestone-not-submitted"),
        ["GET /api/grants/{grantId}/milestones/{milestoneId}/files/{fileId}"] = File("Download an evidence file", "application/octet-stream")
            .Refuses(404, "not-found"),
        ["POST /api/grants/{grantId}/payment-requests"] = Created<PaymentRequestCreated>(
                "A grantee user asks for a payment (multipart: amount, trancheId, note, files); the rules are checked again when it is paid")
            .Reads(RequestBody.PaymentRequest)
            .Refuses(400, "malformed-request", "too-many-files").Refuses(404, "not-found").Refuses(409, "version-conflict")
            .Refuses(413, "evidence-too-large", "payload-too-large").Refuses(415, "unsupported-media-type", "unsupported-evidence-type")
            .Refuses(422, "invalid-amount", "tranche-required", "tranche-not-found", "tranche-locked", "tranche-exceeded", "grant-exceeded",
                "award-awaiting-approval", "award-rejected", "payment-request-open")
            .Refuses(429, "too-many-requests"),
        ["POST /api/grants/{grantId}/payment-requests/{requestId}/decline"] = Ok<VersionResponse>("Finance declines a payment request with a reason")
            .Refuses(404, "not-found", "payment-request-not-found").Refuses(409, "version-conflict")
            .Refuses(422, "payment-request-paid", "payment-request-declined"),
        ["GET /api/payment-requests"] = Ok<IReadOnlyList<PaymentRequestListItem>>("Payment requests (?status=open|declined|paid); a grantee sees its own")
            .Refuses(400, "invalid-status"),
        ["GET /api/grants/{grantId}/payment-requests/{requestId}/files/{fileId}"] = File("Download a file sent with a payment request",
                "application/octet-stream")
            .Refuses(404, "not-found").Refuses(409, "file-integrity-failed"),
        ["GET /api/milestones"] = Ok<IReadOnlyList<MilestoneListItem>>("Milestones across grants (?status=overdue|due-soon|submitted)"),

        ["GET /api/notifications"] = Ok<IReadOnlyList<Notification>>("The notification feed, newest first"),

        ["GET /api/fx-rates"] = Ok<IReadOnlyList<FxRateView>>("The donor rates per currency and month"),
        ["PUT /api/fx-rates"] = Ok<IReadOnlyList<FxRateView>>("Enter or correct rates (JSON or CSV)")
            .Reads(RequestBody.JsonOrCsv<FxRatesRequest>())
            .Refuses(400, "malformed-request").Refuses(413, "payload-too-large", "too-many-rows", "too-many-columns")
            .Refuses(415, "unsupported-media-type").Refuses(422, "invalid-fx-rates").Refuses(429, "too-many-requests"),

        ["PUT /api/grants/{grantId}/budget"] = Ok<BudgetWritten>("Set or replace the budget (until spending is reported)")
            .Refuses(404, "not-found").Refuses(409, "version-conflict")
            .Refuses(422, "budget-locked", "invalid-budget", "budget-total-mismatch", "indirect-cost-cap-exceeded"),
        ["GET /api/grants/{grantId}/budget"] = Ok<GrantBudgetResponse>("Budget against actual of the grant").Refuses(404, "not-found"),
        ["POST /api/grants/{grantId}/budget/revisions"] = Created<BudgetWritten>("Move money between lines, within the cap")
            .Refuses(404, "not-found").Refuses(409, "version-conflict")
            .Refuses(422, "budget-not-set", "budget-line-not-found", "invalid-amount", "budget-total-mismatch", "reallocation-cap-exceeded",
                "indirect-cost-cap-exceeded"),

        ["POST /api/grants/{grantId}/expenditure-reports"] = Created<ExpenditureReportCreated>("The grantee reports spending (JSON, CSV or multipart)")
            .Reads(RequestBody.Expenditure)
            .Refuses(400, "malformed-request", "too-many-files").Refuses(404, "not-found").Refuses(409, "version-conflict")
            .Refuses(413, "evidence-too-large", "payload-too-large", "too-many-rows", "too-many-columns").Refuses(415, "unsupported-evidence-type")
            .Refuses(422, "budget-not-set", "invalid-window", "invalid-expenditure-entries").Refuses(429, "too-many-requests"),
        ["GET /api/grants/{grantId}/expenditure-reports"] = Ok<IReadOnlyList<Expenditure.ExpenditureReportView>>("The grant's expenditure reports, valued")
            .Refuses(404, "not-found"),
        ["POST /api/grants/{grantId}/expenditure-reports/{reportId}/review"] = Ok<Expenditure.ExpenditureReportView>("Finance accepts or rejects entries")
            .Refuses(404, "not-found", "expenditure-report-not-found").Refuses(409, "version-conflict").Refuses(422, "invalid-review"),
        ["GET /api/grants/{grantId}/expenditure-reports/{reportId}/entries/{entryId}/file"] = File("Download an entry's supporting file",
            "application/octet-stream").Refuses(404, "not-found"),

        ["POST /api/grants/{grantId}/amendments"] = Created<AmendmentCreated>("Propose an amendment")
            .Refuses(404, "not-found").Refuses(409, "version-conflict").Refuses(422, AmendmentRefusals),
        ["POST /api/grants/{grantId}/amendments/{amendmentId}/approval"] = Created<AmendmentCreated>("A second person approves the amendment")
            .Refuses(404, "not-found", "amendment-not-found").Refuses(409, "version-conflict")
            .Refuses(422, ["amendment-not-proposed", "same-person-approval", .. AmendmentRefusals]),
        ["POST /api/grants/{grantId}/amendments/{amendmentId}/rejection"] = Created<AmendmentCreated>("Turn the amendment down")
            .Refuses(404, "not-found", "amendment-not-found").Refuses(409, "version-conflict").Refuses(422, "amendment-not-proposed"),

        ["GET /api/audit"] = Ok<AuditPage>("The audit trail, paged, oldest first"),
        ["GET /api/audit/verification"] = Ok<ChainVerification>("Recompute the audit hash chain and check the signed checkpoints"),
        ["GET /api/audit/public-key"] = Ok<PublicKeyView>("The public key that verifies checkpoints and report signatures"),
        ["GET /api/audit/checkpoints"] = Ok<IReadOnlyList<SignedCheckpoint>>("The signed audit checkpoints, newest first"),
        ["GET /api/admin/reconciliation"] = Ok<ReconciliationReport>("Replay every stream and compare with the stored projections and sums"),

        ["POST /api/reports"] = Accepted<ReportAccepted>("Ask for a PDF report (generated in the background; ?language=en|ru for the grantee statement)")
            .Refuses(404, "not-found").Refuses(422, "as-of-in-future").Refuses(429, "too-many-requests"),
        ["GET /api/reports"] = Ok<IReadOnlyList<Reports.ReportView>>("Reports asked for, with status"),
        ["GET /api/reports/{id}"] = Ok<Reports.ReportView>("One report's status and progress").Refuses(404, "not-found"),
        ["GET /api/reports/{id}/pdf"] = File("Download the PDF", "application/pdf").Refuses(404, "not-found"),
        ["POST /api/reports/verification"] = Ok<ReportVerification>("Verify an uploaded report PDF (multipart)")
            .Reads(RequestBody.ReportPdf)
            .Refuses(400, "malformed-request").Refuses(413, "payload-too-large").Refuses(415, "unsupported-media-type").Refuses(429, "too-many-requests"),

        ["GET /api/exports/{kind}.csv"] = File("Ledger entries, expenditure, budget against actual or the audit trail as CSV", "text/csv")
            .Refuses(404, "not-found").Refuses(422, "as-of-in-future"),
        ["GET /api/exports/iati.xml"] = File("The programme and its grants as an IATI 2.03 activity file", "application/xml")
            .Refuses(404, "not-found").Refuses(422, "as-of-in-future", "not-yet-recorded"),
    };

    /// <summary>What a status means, whatever the endpoint.</summary>
    public static string Meaning(int status) => status switch
    {
        400 => "The request is malformed",
        401 => "No signed-in user: no token or cookie, or a garbled, forged or expired token",
        403 => "The user's roles do not allow this",
        404 => "Not found (or another grantee's)",
        409 => "Someone else changed this first: reload and try again",
        413 => "Too large",
        415 => "Unsupported media type",
        422 => "The ledger refused the command",
        423 => "The account is locked",
        429 => "Too many requests",
        503 => "Unavailable",
        _ => "Problem",
    };

    private static Operation Ok<T>(string summary) => new(summary, new Success(200, typeof(T), Json));

    private static Operation Created<T>(string summary, params ResponseHeader[] headers) =>
        new(summary, new Success(201, typeof(T), Json, [Location, .. headers]));

    private static Operation Accepted<T>(string summary) => new(summary, new Success(202, typeof(T), Json, [Location]));

    private static Operation File(string summary, string mediaType) => new(summary, new Success(200, null, mediaType));
}

/// <summary>One operation of the API as clients see it.</summary>
public sealed record Operation(string Summary, Success Success)
{
    public IReadOnlyDictionary<int, IReadOnlyList<string>> Problems { get; private init; } = new SortedDictionary<int, IReadOnlyList<string>>();
    public IReadOnlyList<RequestHeader> Headers { get; private init; } = [];

    /// <summary>A body the endpoint reads itself (multipart, CSV), which the framework cannot describe.</summary>
    public RequestBody? Body { get; private init; }

    public Operation Refuses(int status, params string[] codes)
    {
        var problems = new SortedDictionary<int, IReadOnlyList<string>>(Problems.ToDictionary());
        problems[status] = [.. (problems.GetValueOrDefault(status) ?? []).Union(codes)];
        return this with { Problems = problems };
    }

    public Operation Takes(RequestHeader header) => this with { Headers = [.. Headers, header] };

    public Operation Reads(RequestBody body) => this with { Body = body };
}

/// <summary>The answer when all goes well; <see cref="Body"/> null for a file.</summary>
public sealed record Success(int Status, Type? Body, string MediaType, IReadOnlyList<ResponseHeader>? Headers = null);

public sealed record RequestHeader(string Name, bool Required, int MaxLength, string Description);

public sealed record ResponseHeader(string Name, string Description);

/// <summary>Request bodies by media type: a CLR type (JSON), or named form parts and files for multipart.</summary>
public sealed record RequestBody(IReadOnlyDictionary<string, BodyContent> Content)
{
    public static readonly RequestBody Evidence = new(new Dictionary<string, BodyContent>
    {
        ["multipart/form-data"] = new(null, Texts: ["note"], RepeatedFiles: ["files"]),
    });

    public static readonly RequestBody PaymentRequest = new(new Dictionary<string, BodyContent>
    {
        ["multipart/form-data"] = new(null, Texts: ["amount", "trancheId", "note"], RepeatedFiles: ["files"]),
    });

    public static readonly RequestBody ReportPdf = new(new Dictionary<string, BodyContent>
    {
        ["multipart/form-data"] = new(null, Texts: [], Files: ["file"]),
    });

    public static readonly RequestBody Expenditure = new(new Dictionary<string, BodyContent>
    {
        [ApiContract.Json] = new(typeof(ExpenditureReportRequest)),
        ["text/csv"] = new(null, Csv: "budgetLine,date,description,amount,currency; the period in the query (periodStart, periodEnd)"),
        ["multipart/form-data"] = new(null, Texts: ["report"], Files: ["file-1"],
            Description: "`report`: the JSON report; `file-N`: the supporting file of entry N (1-based)"),
    });

    public static RequestBody JsonOrCsv<T>() => new(new Dictionary<string, BodyContent>
    {
        [ApiContract.Json] = new(typeof(T)),
        ["text/csv"] = new(null, Csv: "currency,month,unitsPerEur[,source]"),
    });
}

/// <summary>One media type of a request body: JSON of a type, CSV, or multipart text fields, files and repeated file parts.</summary>
public sealed record BodyContent(Type? Json, IReadOnlyList<string>? Texts = null, IReadOnlyList<string>? Files = null, string? Csv = null,
    string? Description = null, IReadOnlyList<string>? RepeatedFiles = null);
