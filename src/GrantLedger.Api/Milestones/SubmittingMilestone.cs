using GrantLedger.Api.Grants;
using GrantLedger.Api.Http;
using GrantLedger.Api.Identity;
using GrantLedger.Domain.Grants;
using GrantLedger.Domain.Milestones;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using Wolverine;
using Wolverine.Http;
using Wolverine.Marten;

namespace GrantLedger.Api.Milestones;

public sealed record SubmissionResponse(long Version, IReadOnlyList<EvidenceFileView> Files);

public static class SubmitMilestoneEndpoint
{
    public sealed record ReadFile((EvidenceFile Meta, byte[] Content)? File, IResult? Problem);

    /// <summary>Reads one uploaded file, refusing it when too large or of a type sniffed as not acceptable.</summary>
    public static async Task<ReadFile> ReadEvidence(IFormFile upload, MilestoneOptions limits, CancellationToken cancellation)
    {
        if (upload.Length > limits.MaxEvidenceFileBytes)
        {
            return new(null, Problems.Create(StatusCodes.Status413PayloadTooLarge, "evidence-too-large", "The file is too large",
                $"{upload.FileName} is {upload.Length:N0} bytes; the limit is {limits.MaxEvidenceFileBytes:N0} bytes."));
        }

        // The form reader spools the file (to disk beyond 64 KB); it is read into memory once.
        var content = new byte[upload.Length];
        await using (var file = upload.OpenReadStream())
        {
            await file.ReadExactlyAsync(content, cancellation);
        }

        var fileName = Path.GetFileName(upload.FileName);
        if (EvidenceSniffer.Sniff(content, fileName) is not { } contentType)
        {
            return new(null, Problems.Create(StatusCodes.Status415UnsupportedMediaType, "unsupported-evidence-type",
                "This kind of file is not accepted as evidence",
                $"{fileName} is not a PDF, an image (PNG, JPEG, GIF, WebP, TIFF) or a spreadsheet (XLSX, XLS, ODS, CSV)."));
        }

        return new((new EvidenceFile(Guid.NewGuid(), fileName, contentType, content.LongLength, EvidenceStore.Sha256Of(content)), content), null);
    }

    /// <summary>
    /// The grantee delivers: multipart form with <c>note</c> and one or more <c>files</c>. Each file is checked
    /// (size, type sniffed from its bytes) before anything is stored; one bad file refuses the whole submission.
    /// </summary>
    [Authorize(Policy = Policies.Deliver)]
    [WolverinePost("/api/grants/{grantId}/milestones/{milestoneId}/submission")]
    public static async Task<IResult> Post(Guid grantId, Guid milestoneId, IMessageBus bus,
        IOptions<MilestoneOptions> options, HttpContext context)
    {
        if (!context.Request.HasFormContentType)
        {
            return Problems.Create(StatusCodes.Status415UnsupportedMediaType, "unsupported-media-type",
                "Send the submission as multipart/form-data", "Use fields 'note' and 'files'.");
        }

        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var limits = options.Value;
        if (new RequestCheck().MaxLength("note", form["note"].ToString().Trim(), InputLimits.Reason) is { HasErrors: true } malformed)
        {
            return Results.Problem(malformed.Result());
        }

        if (form.Files.Count > limits.MaxFilesPerSubmission)
        {
            return Problems.BadRequest("too-many-files", $"At most {limits.MaxFilesPerSubmission} files per submission.");
        }

        var files = new List<(EvidenceFile Meta, byte[] Content)>();
        foreach (var upload in form.Files)
        {
            var read = await ReadEvidence(upload, limits, context.RequestAborted);
            if (read.Problem is not null)
            {
                return read.Problem;
            }

            files.Add(read.File!.Value);
        }

        var note = form["note"].ToString().Trim();
        return await bus.Send(new SubmitMilestoneCommand(grantId, milestoneId, note.Length == 0 ? null : note, files, RequestMetadata.From(context)),
            $"/api/grants/{grantId}/milestones/{milestoneId}", context.RequestAborted);
    }
}

/// <summary>The grantee delivers a milestone: a note and the evidence files, already read and checked at the door.</summary>
public sealed record SubmitMilestoneCommand(Guid GrantId, Guid MilestoneId, string? Note, IReadOnlyList<(EvidenceFile Meta, byte[] Content)> Files,
    RequestMetadata Metadata) : IGrantCommand
{
    public long? ExpectedVersion => null;
    public string? Reason => Note;
}

public static class SubmitMilestoneHandler
{
    /// <summary>The evidence bytes are stored in the same transaction as the event that records their SHA-256.</summary>
    public static (CommandOutcome, Events) Handle(SubmitMilestoneCommand command, [WriteAggregate(Required = false)] Grant? grant, IDocumentSession session)
    {
        var (outcome, events) = GrantCommands.Decide(command, grant,
            g => SubmitMilestoneDecision.Decide(g, new SubmitMilestone(command.MilestoneId, command.Note, command.Files.Select(f => f.Meta).ToList())),
            (submitted, version) => new SubmissionResponse(version,
                submitted.Files.Select(f => EvidenceFileView.From(command.GrantId, command.MilestoneId, f)).ToList()));
        if (outcome.Accepted)
        {
            foreach (var (meta, content) in command.Files)
            {
                EvidenceStore.Store(session, command.GrantId, command.MilestoneId, meta, content);
            }
        }

        return (outcome, events);
    }
}
