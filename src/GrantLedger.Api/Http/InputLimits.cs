using GrantLedger.Api.Amendments;
using GrantLedger.Api.Budgets;
using GrantLedger.Api.Currencies;
using GrantLedger.Api.Expenditure;
using GrantLedger.Api.Grants;
using GrantLedger.Api.Milestones;
using GrantLedger.Api.Programmes;
using GrantLedger.Api.Reports;

namespace GrantLedger.Api.Http;

/// <summary>
/// Every bound on what a caller may send, in one table: the validators, the body-size check, the OpenAPI document and
/// docs/api.md ("Limits") all read these. Events cannot be deleted and a grant's snapshot copies what its events say, so
/// anything unbounded here would be stored, and re-read by every later payment, report and export, forever.
/// </summary>
public static class InputLimits
{
    // Free text, in characters.
    /// <summary>Names: grantee, programme name.</summary>
    public const int Name = 200;

    /// <summary>Titles of grants and milestones.</summary>
    public const int Title = 500;

    /// <summary>Short codes: programme code, budget line code.</summary>
    public const int Code = 40;

    /// <summary>Budget headings.</summary>
    public const int Heading = 100;

    /// <summary>Payment (bank) references.</summary>
    public const int Reference = 100;

    /// <summary>Reasons and notes recorded on events.</summary>
    public const int Reason = 2_000;

    /// <summary>Descriptions of expenses and budget lines.</summary>
    public const int Description = 2_000;

    /// <summary>Where a rate came from.</summary>
    public const int Source = 200;

    /// <summary>Short values such as kinds, dates and time zones given as text.</summary>
    public const int Token = 64;

    // Lists, in items.
    /// <summary>Entries of one expenditure report, and entry decisions of one review.</summary>
    public const int Entries = 500;

    /// <summary>Lines of one budget, and line changes of one revision.</summary>
    public const int BudgetLines = 200;

    /// <summary>Tranches of one plan.</summary>
    public const int Tranches = 50;

    /// <summary>Milestone dates moved by one amendment.</summary>
    public const int MilestoneDates = 100;

    /// <summary>Countries of one grant.</summary>
    public const int Countries = 50;

    /// <summary>Budget headings of one programme.</summary>
    public const int Headings = 50;

    /// <summary>Rates entered at once (JSON or CSV).</summary>
    public const int Rates = 5_000;

    /// <summary>Data rows of one CSV import.</summary>
    public const int CsvRows = 5_000;

    /// <summary>Columns of one CSV import.</summary>
    public const int CsvColumns = 50;

    /// <summary>Supporting files of one expenditure report (one per entry at most).</summary>
    public const int SupportingFiles = 50;

    /// <summary>Form fields of one multipart or form post (files included).</summary>
    public const int FormValues = 1_024;

    // Bodies, in bytes.
    public const long Megabyte = 1024 * 1024;

    /// <summary>A JSON command, and any form field's value.</summary>
    public const long JsonBody = 1 * Megabyte;

    /// <summary>A CSV import.</summary>
    public const long CsvBody = 4 * Megabyte;

    /// <summary>A report PDF uploaded for verification.</summary>
    public const long VerificationBody = 20 * Megabyte;

    /// <summary>Multipart overhead on top of the files themselves (part headers, the note, the report JSON).</summary>
    public const long MultipartOverhead = 2 * Megabyte;

    /// <summary>Bytes read from a zip entry to tell an OpenDocument spreadsheet by its <c>mimetype</c>.</summary>
    public const int ZipMimetypeBytes = 256;

    /// <summary>The size a number of bytes is shown with in answers ("20 MB", "512 bytes").</summary>
    public static string Show(long bytes) =>
        bytes >= Megabyte && bytes % Megabyte == 0 ? $"{bytes / Megabyte:N0} MB ({bytes:N0} bytes)" : $"{bytes:N0} bytes";

    /// <summary>A currency code: three letters.</summary>
    public const int CurrencyCode = 3;

    /// <summary>An e-mail address (RFC 5321's path limit).</summary>
    public const int Email = 320;

    /// <summary>A password or one-time password (at least <see cref="Identity.UserRules.MinimumPasswordLength"/>).</summary>
    public const int Password = 200;

    /// <summary>A language code (<see cref="Identity.Languages"/>).</summary>
    public const int LanguageCode = 8;

    /// <summary>Roles of one user.</summary>
    public const int Roles = 5;

    /// <summary>Contacts of one organisation.</summary>
    public const int Contacts = 20;

    /// <summary>A bank account number or IBAN as typed (with spaces; an IBAN is at most 34 characters without them).</summary>
    public const int AccountNumber = 50;

    /// <summary>A SWIFT/BIC code as typed (8 or 11 characters without spaces).</summary>
    public const int Bic = 20;

    /// <summary>
    /// The cap of each text (characters) and list (items) field of the JSON request bodies, by type and JSON name, as the
    /// validators enforce them: the OpenAPI document declares them as <c>maxLength</c>/<c>maxItems</c> (and
    /// OpenApiDocumentTests fails on a request string or list without one). <c>name[]</c> is the length of a list's texts.
    /// </summary>
    public static readonly IReadOnlyDictionary<(Type Type, string Field), int> Fields = new Dictionary<(Type, string), int>
    {
        [(typeof(Identity.TokenRequest), "email")] = Email,
        [(typeof(Identity.TokenRequest), "password")] = Password,
        [(typeof(Identity.CreateUserRequest), "email")] = Email,
        [(typeof(Identity.CreateUserRequest), "displayName")] = Name,
        [(typeof(Identity.CreateUserRequest), "password")] = Password,
        [(typeof(Identity.CreateUserRequest), "roles")] = Roles,
        [(typeof(Identity.CreateUserRequest), "roles[]")] = Token,
        [(typeof(Identity.UserChangeRequest), "reason")] = Reason,
        [(typeof(Identity.UserRolesRequest), "roles")] = Roles,
        [(typeof(Identity.UserRolesRequest), "roles[]")] = Token,
        [(typeof(Identity.UserRolesRequest), "reason")] = Reason,
        [(typeof(Identity.PasswordResetRequest), "oneTimePassword")] = Password,
        [(typeof(Identity.PasswordResetRequest), "reason")] = Reason,
        [(typeof(Identity.PasswordChangeRequest), "currentPassword")] = Password,
        [(typeof(Identity.PasswordChangeRequest), "newPassword")] = Password,
        [(typeof(Identity.LanguageRequest), "language")] = LanguageCode,
        [(typeof(ProposeApprovalRulesRequest), "reason")] = Reason,
        [(typeof(DecideApprovalRulesRequest), "reason")] = Reason,
        [(typeof(OpenProgrammeRequest), "code")] = Code,
        [(typeof(OpenProgrammeRequest), "name")] = Name,
        [(typeof(OpenProgrammeRequest), "currency")] = CurrencyCode,
        [(typeof(OpenProgrammeRequest), "timeZone")] = Token,
        [(typeof(OpenProgrammeRequest), "reason")] = Reason,
        [(typeof(BudgetRulesRequest), "headings")] = Headings,
        [(typeof(BudgetRulesRequest), "headings[]")] = Heading,
        [(typeof(AwardGrantRequest), "countries")] = Countries,
        [(typeof(Organisations.OrganisationRequest), "legalName")] = Title,
        [(typeof(Organisations.OrganisationRequest), "shortName")] = Name,
        [(typeof(Organisations.OrganisationRequest), "countries")] = Countries,
        [(typeof(Organisations.OrganisationRequest), "countries[]")] = 2,
        [(typeof(Organisations.OrganisationRequest), "registrationNumber")] = Reference,
        [(typeof(Organisations.OrganisationRequest), "iatiIdentifier")] = Reference,
        [(typeof(Organisations.OrganisationRequest), "iatiType")] = 3,
        [(typeof(Organisations.OrganisationRequest), "contacts")] = Contacts,
        [(typeof(Organisations.OrganisationRequest), "reason")] = Reason,
        [(typeof(GrantLedger.Domain.Organisations.OrganisationContact), "name")] = Name,
        [(typeof(GrantLedger.Domain.Organisations.OrganisationContact), "role")] = Name,
        [(typeof(GrantLedger.Domain.Organisations.OrganisationContact), "email")] = Email,
        [(typeof(GrantLedger.Domain.Organisations.OrganisationContact), "phone")] = Reference,
        [(typeof(Organisations.BankAccountRequest), "holder")] = Name,
        [(typeof(Organisations.BankAccountRequest), "accountNumber")] = AccountNumber,
        [(typeof(Organisations.BankAccountRequest), "bankName")] = Name,
        [(typeof(Organisations.BankAccountRequest), "bankCountry")] = 2,
        [(typeof(Organisations.BankAccountRequest), "currency")] = CurrencyCode,
        [(typeof(Organisations.BankAccountRequest), "reason")] = Reason,
        [(typeof(Organisations.BankAccountRequest), "swift")] = Bic,
        [(typeof(Organisations.BankAccountRequest), "intermediaryBank")] = Title,
        [(typeof(Organisations.BankAccountDecisionRequest), "reason")] = Reason,
        [(typeof(AwardGrantRequest), "countries[]")] = 2,
        [(typeof(AwardGrantRequest), "title")] = Title,
        [(typeof(AwardGrantRequest), "currency")] = CurrencyCode,
        [(typeof(AwardGrantRequest), "reason")] = Reason,
        [(typeof(AwardGrantRequest), "tranches")] = Tranches,
        [(typeof(RecordDisbursementRequest), "reference")] = Reference,
        [(typeof(RecordDisbursementRequest), "note")] = Reason,
        [(typeof(RecordDisbursementRequest), "currency")] = CurrencyCode,
        [(typeof(HoldOverrideRequest), "reason")] = Reason,
        [(typeof(ReverseDisbursementRequest), "reason")] = Reason,
        [(typeof(ApproveDisbursementRequest), "note")] = Reason,
        [(typeof(RejectDisbursementRequest), "reason")] = Reason,
        [(typeof(ReturnDisbursementRequest), "bankReason")] = Reason,
        [(typeof(ReturnDisbursementRequest), "bankReference")] = Reference,
        [(typeof(ClosePeriodRequest), "note")] = Reason,
        [(typeof(ReopenPeriodRequest), "reason")] = Reason,
        [(typeof(DecideReopeningRequest), "reason")] = Reason,
        [(typeof(ReceiptRequest), "currency")] = CurrencyCode,
        [(typeof(ReceiptRequest), "bankReference")] = Reference,
        [(typeof(AmendTranchePlanRequest), "tranches")] = Tranches,
        [(typeof(AmendTranchePlanRequest), "reason")] = Reason,
        [(typeof(PlanMilestoneRequest), "title")] = Title,
        [(typeof(ConfirmMilestoneRequest), "note")] = Reason,
        [(typeof(RejectMilestoneRequest), "reason")] = Reason,
        [(typeof(DeclinePaymentRequestRequest), "reason")] = Reason,
        [(typeof(SetBudgetRequest), "lines")] = BudgetLines,
        [(typeof(BudgetLineRequest), "heading")] = Heading,
        [(typeof(BudgetLineRequest), "description")] = Description,
        [(typeof(BudgetLineRequest), "code")] = Code,
        [(typeof(ReviseBudgetRequest), "changes")] = BudgetLines,
        [(typeof(ReviseBudgetRequest), "reason")] = Reason,
        [(typeof(ExpenditureReportRequest), "entries")] = Entries,
        [(typeof(ExpenseRequest), "description")] = Description,
        [(typeof(ExpenseRequest), "currency")] = CurrencyCode,
        [(typeof(ExpenseRequest), "budgetLineCode")] = Code,
        [(typeof(ReviewRequest), "entries")] = Entries,
        [(typeof(EntryReviewRequest), "reason")] = Reason,
        [(typeof(FxRatesRequest), "rates")] = Rates,
        [(typeof(FxRateLine), "currency")] = CurrencyCode,
        [(typeof(FxRateLine), "source")] = Source,
        [(typeof(ProposeAmendmentRequest), "reason")] = Reason,
        [(typeof(ProposeAmendmentRequest), "budget")] = BudgetLines,
        [(typeof(ProposeAmendmentRequest), "tranches")] = Tranches,
        [(typeof(ProposeAmendmentRequest), "milestones")] = MilestoneDates,
        [(typeof(AmendmentDecisionRequest), "reason")] = Reason,
        [(typeof(ReportRequest), "kind")] = Token,
        [(typeof(ReportRequest), "from")] = Token,
        [(typeof(ReportRequest), "to")] = Token,
        [(typeof(ReportRequest), "asOf")] = Token,
    };
}
