using System.Security.Claims;
using System.Security.Cryptography;
using GrantLedger.Api.Http;
using GrantLedger.Api.Identity;
using GrantLedger.Domain.Grants;
using GrantLedger.Reports.Models;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using NodaTime;
using NodaTime.Text;
using Npgsql;
using Wolverine;
using Wolverine.Http;

namespace GrantLedger.Api.Reports;

public sealed record ReportRequest(string Kind, Guid? ProgrammeId = null, Guid? GrantId = null, string? From = null, string? To = null, string? AsOf = null);

public sealed record ReportAccepted(Guid Id, string Status);

/// <param name="Language">The language the report is printed in: <c>en</c> or <c>ru</c> (only the grantee statement is offered in Russian).</param>
public sealed record ReportView(Guid Id, string Kind, Guid? ProgrammeId, Guid? GrantId, Instant AsOf, string Status, int Progress,
    string? Hash, long? Position, int? Pages, string? FileName, string RequestedBy, Instant RequestedAt, string? Error, string? Url, string Language)
{
    public static ReportView From(ReportJob j) =>
        new(j.Id, Kinds.Name(j.Kind), j.ProgrammeId, j.GrantId, j.AsOf, j.Status.ToString().ToLowerInvariant(), j.Progress, j.Hash, j.Position,
            j.Pages, j.FileName, j.RequestedBy, j.RequestedAt, j.Error, j.Status == ReportStatus.Ready ? $"/api/reports/{j.Id}/pdf" : null,
            j.Language ?? Languages.English);
}

public static class Kinds
{
    private static readonly Dictionary<string, ReportKind> ByName = new()
    {
        ["programme-financial"] = ReportKind.ProgrammeFinancial,
        ["grantee-statement"] = ReportKind.GranteeStatement,
        ["milestone-status"] = ReportKind.MilestoneStatus,
        ["audit-trail"] = ReportKind.AuditTrail,
    };

    public static ReportKind? Parse(string? name) => name is not null && ByName.TryGetValue(name, out var kind) ? kind : null;
    public static string Name(ReportKind kind) => ByName.Single(k => k.Value == kind).Key;
}

public static class RequestReportEndpoint
{
    /// <param name="language">The query's <c>language</c>: <c>en</c> or <c>ru</c> for a grantee statement (none: the requester's
    /// profile language); only <c>en</c> for the other reports, which exist in English only.</param>
    public static ProblemDetails Validate(ReportRequest? request, string? language = null) =>
        request is null ? RequestCheck.Body(request).Result() : new RequestCheck()
            .That(language is null || ReportLanguage.Find(language) is not null, "language", "must be en or ru.")
            .That(language is null || ReportLanguage.Find(language) is not { } asked || asked == ReportLanguage.English ||
                Kinds.Parse(request.Kind) is not { } kind || kind == ReportKind.GranteeStatement,
                "language", "must be en for this report: only the grantee statement is printed in Russian.")
            .MaxLength("from", request.From, InputLimits.Token)
            .MaxLength("to", request.To, InputLimits.Token)
            .MaxLength("asOf", request.AsOf, InputLimits.Token)
            .That(Kinds.Parse(request.Kind) is not null, "kind", "must be programme-financial, grantee-statement, milestone-status or audit-trail.")
            .That(Kinds.Parse(request.Kind) is not (ReportKind.ProgrammeFinancial or ReportKind.MilestoneStatus) || request.ProgrammeId is not null,
                "programmeId", "is required for this report.")
            .That(Kinds.Parse(request.Kind) is not ReportKind.GranteeStatement || request.GrantId is not null, "grantId", "is required for a grantee statement.")
            .That(request.AsOf is null || InstantPattern.ExtendedIso.Parse(request.AsOf).Success, "asOf", "must be an ISO instant such as 2021-01-31T18:00:00Z.")
            .That(request.From is null || Audit.AuditTrailEndpoint.ParseBound(request.From)!.Success, "from", "must be an ISO instant or a date.")
            .That(request.To is null || Audit.AuditTrailEndpoint.ParseBound(request.To)!.Success, "to", "must be an ISO instant or a date.")
            .Result();

    /// <summary>
    /// Queues a report for generation in the background (answers 202 at once). Grantees may ask only for their own
    /// grant's statement; finance and auditors for any report. <c>?language=ru</c> or <c>en</c> picks the grantee
    /// statement's language; without it, the requester's profile language.
    /// </summary>
    [Authorize(Policy = Policies.ReadGrants)]
    [WolverinePost("/api/reports")]
    public static Task<IResult> Post(ReportRequest request, string? language, IMessageBus bus, HttpContext context) =>
        bus.Send(RequestReportCommand.Of(request, RequestMetadata.From(context), language), outcome => outcome.Problem ?? Results.Accepted(
            $"/api/reports/{((ReportAccepted)outcome.Body!).Id}", outcome.Body), context.RequestAborted);
}

/// <summary>Someone asks for a report as of an instant (now when not given); it is generated in the background.</summary>
/// <param name="Language">The grantee statement's language (<c>en</c>, <c>ru</c>); none: the requester's profile language.</param>
public sealed record RequestReportCommand(ReportKind Kind, Guid? ProgrammeId, Guid? GrantId, Instant? From, Instant? To, Instant? AsOf,
    RequestMetadata Metadata, string? Language = null) : ILedgerCommand
{
    public string? Reason => null;

    /// <summary>The command for a request that passed <see cref="RequestReportEndpoint.Validate"/>.</summary>
    public static RequestReportCommand Of(ReportRequest request, RequestMetadata metadata, string? language = null) =>
        new(Kinds.Parse(request.Kind)!.Value, request.ProgrammeId, request.GrantId, Audit.AuditTrailEndpoint.ParseBound(request.From)?.Value,
            Audit.AuditTrailEndpoint.ParseBound(request.To)?.Value, request.AsOf is null ? null : InstantPattern.ExtendedIso.Parse(request.AsOf).Value,
            metadata, ReportLanguage.Find(language)?.Code);
}

public static class RequestReportHandler
{
    /// <summary>The job is stored and its generation cascaded in one transaction: the message leaves only if the job was committed (the outbox).</summary>
    public static async Task<(CommandOutcome, OutgoingMessages)> Handle(RequestReportCommand command, IDocumentSession session, IClock clock)
    {
        var now = clock.GetCurrentInstant();
        var asOf = command.AsOf ?? now;
        if (asOf > now)
        {
            return (CommandOutcome.Refused(new("as-of-in-future", "A report shows what was recorded: its as-of instant cannot be in the future.")), []);
        }

        var grantee = command.Metadata.Grantee;
        string? granteeName = null;
        var language = Languages.English;
        if (command.Kind == ReportKind.GranteeStatement)
        {
            language = command.Language ?? await ProfileLanguage(session, command.Metadata);
            var grantId = command.GrantId!.Value;
            if (await session.LoadAsync<Grant>(grantId) is not { } grant || (grantee is not null && grant.OrganisationId != grantee))
            {
                return (CommandOutcome.NotFound("grant", grantId), []);
            }

            (grantee, granteeName) = (grant.OrganisationId, grant.Grantee);
        }
        else if (grantee is not null)
        {
            return (new CommandOutcome(Problems.Create(StatusCodes.Status403Forbidden, "forbidden", "Not available to grantees",
                "Grantees can generate their own grant statement only.")), []);
        }
        else if (command.ProgrammeId is { } programmeId && await session.LoadAsync<Domain.Programmes.Programme>(programmeId) is null)
        {
            return (CommandOutcome.NotFound("programme", programmeId), []);
        }

        var metadata = command.Metadata;
        var job = new ReportJob(Guid.NewGuid(), command.Kind, command.ProgrammeId, command.GrantId, command.From, command.To, asOf, ReportStatus.Queued, 0,
            metadata.Actor, metadata.UserId, metadata.Role, granteeName, now, Language: language, OrganisationId: grantee);
        session.Store(job);
        return (new CommandOutcome(null, Body: new ReportAccepted(job.Id, "queued")), [new GenerateReport(job.Id)]);
    }

    /// <summary>The language the requester chose in their profile (English for a caller without an account, e.g. the system).</summary>
    private static async Task<string> ProfileLanguage(IDocumentSession session, RequestMetadata metadata) =>
        Guid.TryParse(metadata.UserId, out var userId) && await session.LoadAsync<UserAccount>(userId) is { } user
            ? Languages.Supported(user.Language)
            : Languages.English;
}

public static class ReportQueries
{
    [Authorize(Policy = Policies.ReadGrants)]
    [WolverineGet("/api/reports")]
    public static async Task<IReadOnlyList<ReportView>> List(IQuerySession session, ClaimsPrincipal principal)
    {
        var user = CurrentUser.From(principal);
        var jobs = await session.Query<ReportJob>().OrderByDescending(j => j.RequestedAt).Take(500).ToListAsync();
        return jobs.Where(j => !user.IsGrantee || (j.OrganisationId is { } o && o == user.OrganisationId)).Select(ReportView.From).ToList();
    }

    [Authorize(Policy = Policies.ReadGrants)]
    [WolverineGet("/api/reports/{id}")]
    public static async Task<IResult> Get(Guid id, IQuerySession session, ClaimsPrincipal principal) =>
        await Visible(session, id, principal) is { } job ? Results.Ok(ReportView.From(job)) : Problems.NotFound("report", id);

    [Authorize(Policy = Policies.ReadGrants)]
    [WolverineGet("/api/reports/{id}/pdf")]
    public static async Task<IResult> Pdf(Guid id, IQuerySession session, ClaimsPrincipal principal, NpgsqlDataSource dataSource,
        IDocumentStore store, CancellationToken cancellation)
    {
        if (await Visible(session, id, principal) is not { Status: ReportStatus.Ready } job)
        {
            return Problems.NotFound("ready report", id);
        }

        return await ReportFiles.Pdf(dataSource, store, id, cancellation) is { } pdf
            ? Results.File(pdf, "application/pdf", job.FileName)
            : Problems.NotFound("report file", id);
    }

    private static async Task<ReportJob?> Visible(IQuerySession session, Guid id, ClaimsPrincipal principal)
    {
        var user = CurrentUser.From(principal);
        return await session.LoadAsync<ReportJob>(id) is { } job && (!user.IsGrantee || (job.OrganisationId is { } o && o == user.OrganisationId)) ? job : null;
    }
}

/// <summary>Generates a queued report: loads the events as of its instant, builds the model, renders, stores, records.</summary>
public static class GenerateReportHandler
{
    public static async Task Handle(GenerateReport message, IDocumentStore store, NpgsqlDataSource dataSource, Audit.AuditCheckpointer checkpointer,
        ReportCheckpoints checkpoints, ILogger<GenerateReport> logger, IMessageContext bus, Wolverine.Marten.Publishing.OutboxedSessionFactory outbox,
        IClock clock, CancellationToken cancellation)
    {
        // Outboxed, so the "report ready" notice leaves only with the commit that marks the report ready.
        await using var session = outbox.OpenSession(bus);
        if (await session.LoadAsync<ReportJob>(message.ReportId, cancellation) is not { Status: ReportStatus.Queued or ReportStatus.Running } job)
        {
            return;
        }

        async Task Progress(ReportJob update)
        {
            job = update;
            session.Store(job);
            await session.SaveChangesAsync(cancellation);
        }

        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            await Progress(job with { Status = ReportStatus.Running, Progress = 10 });
            var (model, hash, position) = await ReportBuilder.ModelAsOf(session, ReportScope.Of(job), checkpoints, cancellation);
            await Progress(job with { Progress = 60 });
            var chain = await SignedHead(checkpointer, position, cancellation);
            var built = ReportBuilder.Render(model, hash, position, new ReportSeal(job.Id, chain), ReportLanguage.Find(job.Language));
            var pdfSha = Convert.ToHexStringLower(SHA256.HashData(built.Pdf));
            var fileName = $"{Kinds.Name(job.Kind)}-as-of-{InstantPattern.Create("uuuuMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture).Format(job.AsOf)}.pdf";

            session.RecordedBy(new RequestMetadata(job.RequestedBy, $"report-{job.Id:N}", job.RequestedByUserId, job.RequestedByRole), "report generated");
            session.QueueSqlCommand($"insert into {store.Options.Events.DatabaseSchemaName}.{ReportFiles.TableName} (id, sha256, pdf) values (?, ?, ?)",
                job.Id, pdfSha, built.Pdf);
            session.Events.StartStream(job.Id, new ReportGenerated(job.Id, job.Kind, job.ProgrammeId, job.GrantId, job.AsOf, position, hash, pdfSha, job.RequestedBy,
                job.From, job.To, chain, ReportLanguage.Find(job.Language)?.Code ?? Languages.English));
            var ready = Notifications.ReportReadyNotice.For(job, fileName, clock.GetCurrentInstant());
            session.Store(ready);
            await bus.PublishAsync(new DeliverNotification(ready.Id));
            await Progress(job with
            {
                Status = ReportStatus.Ready, Progress = 100, Hash = hash, Position = position, PdfSha256 = pdfSha, Pages = built.Pages, FileName = fileName,
            });
            Operations.LedgerMetrics.ReportBuilt(Kinds.Name(job.Kind), ok: true, System.Diagnostics.Stopwatch.GetElapsedTime(started));
        }
        catch (Exception ex) when (ex is KeyNotFoundException or InvalidOperationException)
        {
            logger.LogWarning(ex, "Report {Id} failed", job.Id);
            Operations.LedgerMetrics.ReportBuilt(Kinds.Name(job.Kind), ok: false, System.Diagnostics.Stopwatch.GetElapsedTime(started));
            await using var failed = store.LightweightSession();
            failed.Store(job with { Status = ReportStatus.Failed, Error = "The report could not be built from the ledger: " + ex.Message });
            await failed.SaveChangesAsync(cancellation);
        }
    }

    /// <summary>
    /// A signed checkpoint of the chain head that covers the report's events (the chainer follows commits within a
    /// second): the report carries it, so its copy outside the ledger fixes the history it was built from.
    /// </summary>
    private static async Task<ChainSeal?> SignedHead(Audit.AuditCheckpointer checkpointer, long position, CancellationToken cancellation)
    {
        Audit.SignedCheckpoint? head = null;
        for (var attempt = 0; attempt < 40; attempt++)
        {
            head = await checkpointer.SignHeadAsync("report", cancellation);
            if (head is not null && head.Sequence >= position)
            {
                break;
            }

            await Task.Delay(250, cancellation);
        }

        return head is null ? null : new ChainSeal(head.Sequence, head.Link, head.SignedAt, head.KeyId, head.Signature);
    }
}
