using System.Text.Json;
using GrantLedger.Api.Http;
using GrantLedger.Api.Identity;
using GrantLedger.Api.Milestones;
using GrantLedger.Domain;
using GrantLedger.Domain.Expenditure;
using GrantLedger.Domain.Grants;
using GrantLedger.Domain.Milestones;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using NodaTime;
using NodaTime.Text;
using Wolverine;
using Wolverine.Http;
using Wolverine.Marten;

namespace GrantLedger.Api.Expenditure;

public sealed record ExpenseRequest(LocalDate Date, string Description, decimal Amount, string Currency, Guid? BudgetLineId = null, string? BudgetLineCode = null);

public sealed record ExpenditureReportRequest(LocalDate PeriodStart, LocalDate PeriodEnd, IReadOnlyList<ExpenseRequest> Entries);

public sealed record ExpenditureReportCreated(Guid Id, long Version, int Entries, int Ineligible);

public static class SubmitExpenditureReportEndpoint
{
    private static readonly string[] CsvColumns = ["budgetLine", "date", "description", "amount", "currency"];

    /// <summary>
    /// The grantee reports spending for a period, in the currency paid. Three ways in: JSON; a CSV file (<c>text/csv</c>,
    /// columns budgetLine (code), date, description, amount, currency; period in the query); or multipart with a
    /// <c>report</c> part (the JSON) and optional supporting files named <c>file-N</c> for entry N. All rows or none.
    /// </summary>
    [Authorize(Policy = Policies.Deliver)]
    [WolverinePost("/api/grants/{grantId}/expenditure-reports")]
    public static async Task<IResult> Post(Guid grantId, string? periodStart, string? periodEnd, HttpContext context,
        IMessageBus bus, IOptions<MilestoneOptions> limits, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json)
    {
        var files = new Dictionary<int, (EvidenceFile Meta, byte[] Content)>();
        ExpenditureReportRequest? request;
        var contentType = context.Request.ContentType ?? "";
        if (contentType.StartsWith("text/csv", StringComparison.OrdinalIgnoreCase))
        {
            var (start, end) = (LocalDatePattern.Iso.Parse(periodStart ?? ""), LocalDatePattern.Iso.Parse(periodEnd ?? ""));
            if (!start.Success || !end.Success)
            {
                return Problems.BadRequest("malformed-request", "A CSV report needs ?periodStart=yyyy-MM-dd&periodEnd=yyyy-MM-dd.");
            }

            var (rows, errors) = await CsvImport.Read(context.Request.Body, CsvColumns, context.RequestAborted);
            var entries = new List<ExpenseRequest>();
            foreach (var row in rows)
            {
                var date = CsvImport.Parsed(row, "date", LocalDatePattern.Iso, "2020-06-30", errors);
                var amount = CsvImport.Decimal(row, "amount", errors);
                if (date is { } d && amount is { } a)
                {
                    entries.Add(new ExpenseRequest(d, row.Cell("description") ?? "", a, row.Cell("currency")?.ToUpperInvariant() ?? "",
                        BudgetLineCode: row.Cell("budgetline") ?? ""));
                }
            }

            if (errors.Count > 0)
            {
                return Problems.From(new DomainError("invalid-expenditure-entries", "The file has errors; nothing was recorded.", Rows: errors));
            }

            request = new ExpenditureReportRequest(start.Value, end.Value, entries);
        }
        else if (context.Request.HasFormContentType)
        {
            var form = await context.Request.ReadFormAsync(context.RequestAborted);
            request = JsonSerializer.Deserialize<ExpenditureReportRequest>(form["report"].ToString(), json.Value.SerializerOptions);
            if (form.Files.Count > InputLimits.SupportingFiles)
            {
                return Problems.BadRequest("too-many-files", $"At most {InputLimits.SupportingFiles} supporting files per report; this one has {form.Files.Count}.");
            }

            // Refused before any file is read into memory.
            if (request?.Entries is not null && Bounds(request) is { HasErrors: true } malformed)
            {
                return Results.Problem(malformed.Result());
            }

            foreach (var upload in form.Files.Where(f => f.Name.StartsWith("file-", StringComparison.Ordinal)))
            {
                if (!int.TryParse(upload.Name["file-".Length..], out var entry))
                {
                    continue;
                }

                var stored = await SubmitMilestoneEndpoint.ReadEvidence(upload, limits.Value, context.RequestAborted);
                if (stored.Problem is not null)
                {
                    return stored.Problem;
                }

                files[entry] = stored.File!.Value;
            }
        }
        else
        {
            request = await JsonSerializer.DeserializeAsync<ExpenditureReportRequest>(context.Request.Body, json.Value.SerializerOptions, context.RequestAborted);
        }

        if (request?.Entries is null)
        {
            return Problems.BadRequest("malformed-request", "Send {periodStart, periodEnd, entries:[{budgetLineId or budgetLineCode, date, description, amount, currency}]}.");
        }

        return await Send(grantId, request, files, bus, context);
    }

    /// <summary>Records a parsed report (from JSON, CSV or the web form) with its supporting files: all rows or none.</summary>
    public static Task<IResult> Submit(Guid grantId, ExpenditureReportRequest request, HttpContext context, IMessageBus bus) =>
        Send(grantId, request, new Dictionary<int, (EvidenceFile Meta, byte[] Content)>(), bus, context);

    private static async Task<IResult> Send(Guid grantId, ExpenditureReportRequest request, Dictionary<int, (EvidenceFile Meta, byte[] Content)> files,
        IMessageBus bus, HttpContext context) =>
        Bounds(request) is { HasErrors: true } malformed
            ? Results.Problem(malformed.Result())
            : await bus.Send(new SubmitExpenditureReportCommand(grantId, request, files, RequestMetadata.From(context)),
                outcome => outcome.ToCreated(outcome.Body is ExpenditureReportCreated created ? $"/api/grants/{grantId}/expenditure-reports/{created.Id}" : ""),
                context.RequestAborted);

    /// <summary>
    /// The report's size and text within <see cref="InputLimits"/>, however it came (JSON, CSV, multipart, the web form):
    /// each entry is copied into the grant's snapshot and read by every later payment, report and export.
    /// </summary>
    public static RequestCheck Bounds(ExpenditureReportRequest request) => new RequestCheck()
        .Each("entries", request.Entries, InputLimits.Entries, (check, field, entry) => check
            .MaxLength($"{field}.description", entry.Description, InputLimits.Description)
            .MaxLength($"{field}.currency", entry.Currency, InputLimits.CurrencyCode)
            .MaxLength($"{field}.budgetLineCode", entry.BudgetLineCode, InputLimits.Code));
}

/// <summary>The grantee reports spending for a period, with supporting files keyed by entry number (1-based).</summary>
public sealed record SubmitExpenditureReportCommand(Guid GrantId, ExpenditureReportRequest Report, IReadOnlyDictionary<int, (EvidenceFile Meta, byte[] Content)> Files,
    RequestMetadata Metadata) : IGrantCommand
{
    public long? ExpectedVersion => null;
    public string Reason => $"expenditure report {Report.PeriodStart:uuuu-MM-dd} .. {Report.PeriodEnd:uuuu-MM-dd}";
}

public static class SubmitExpenditureReportHandler
{
    /// <summary>Supporting files are stored in the same transaction as the event that records their SHA-256.</summary>
    public static (CommandOutcome, Events) Handle(SubmitExpenditureReportCommand command, [WriteAggregate(Required = false)] Grant? grant,
        IDocumentSession session)
    {
        var request = command.Report;
        var reportId = Guid.NewGuid();
        var (outcome, events) = GrantCommands.Decide(command, grant, g => SubmitExpenditureReportDecision.Decide(g, new SubmitExpenditureReport(reportId,
                request.PeriodStart, request.PeriodEnd,
                request.Entries.Select((e, i) => (Entry: e, File: command.Files.TryGetValue(i + 1, out var f) ? f.Meta : null))
                    .Select(x => new ReportedExpense(x.Entry.BudgetLineId, x.Entry.BudgetLineCode, x.Entry.Date, x.Entry.Description ?? "", x.Entry.Amount,
                        x.Entry.Currency?.ToUpperInvariant() ?? "", x.File?.FileId, x.File?.Sha256)).ToList(),
                Guid.NewGuid)),
            (submitted, version) => new ExpenditureReportCreated(reportId, version, submitted.Entries.Count, submitted.Entries.Count(e => !e.Eligible)));
        foreach (var submitted in events.OfType<ExpenditureReportSubmitted>())
        {
            foreach (var (index, file) in command.Files.Where(f => f.Key >= 1 && f.Key <= submitted.Entries.Count))
            {
                EvidenceStore.Store(session, command.GrantId, submitted.Entries[index - 1].EntryId, file.Meta, file.Content);
            }
        }

        return (outcome, events);
    }
}
