using System.Globalization;
using GrantLedger.Api.Http;
using GrantLedger.Api.Identity;
using GrantLedger.Api.Milestones;
using GrantLedger.Api.Notifications;
using GrantLedger.Domain.Grants;
using GrantLedger.Domain.Milestones;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using NodaTime;
using Wolverine;
using Wolverine.Http;
using Wolverine.Marten;

namespace GrantLedger.Api.Grants;

public sealed record PaymentRequestCreated(Guid Id, long Version, IReadOnlyList<EvidenceFileView> Files);

public static class RequestPaymentEndpoint
{
    /// <summary>
    /// A grantee user asks for a payment: multipart form with <c>amount</c>, <c>trancheId</c> (when the grant has a tranche
    /// plan), <c>note</c> and optional <c>files</c>, checked like milestone evidence (size, type sniffed from the bytes).
    /// A request is not a payment: the payment rules are checked again when finance pays it.
    /// </summary>
    [Authorize(Policy = Policies.Deliver)]
    [WolverinePost("/api/grants/{grantId}/payment-requests")]
    public static async Task<IResult> Post(Guid grantId, IMessageBus bus, IOptions<MilestoneOptions> options, HttpContext context)
    {
        if (!context.Request.HasFormContentType)
        {
            return Problems.Create(StatusCodes.Status415UnsupportedMediaType, "unsupported-media-type",
                "Send the request as multipart/form-data", "Use fields 'amount', 'trancheId', 'note' and 'files'.");
        }

        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var read = await Read(form, options.Value, context.RequestAborted);
        if (read.Problem is not null)
        {
            return read.Problem;
        }

        return await bus.Send(read.Command!(RequestMetadata.From(context), grantId),
            outcome => outcome.ToCreated(outcome.Body is PaymentRequestCreated created ? $"/api/grants/{grantId}/payment-requests/{created.Id}" : ""),
            context.RequestAborted);
    }

    public sealed record ReadRequest(Func<RequestMetadata, Guid, RequestPaymentCommand>? Command, IResult? Problem);

    /// <summary>The form read and checked at the door (the web page reads its form the same way): 400 for a malformed field,
    /// 413/415 for a file too large or of a kind not accepted.</summary>
    public static async Task<ReadRequest> Read(IFormCollection form, MilestoneOptions limits, CancellationToken cancellation)
    {
        var amountText = form["amount"].ToString().Trim();
        var trancheText = form["trancheId"].ToString().Trim();
        var note = form["note"].ToString().Trim();
        var amountOk = decimal.TryParse(amountText, NumberStyles.Number & ~NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out var amount);
        Guid? trancheId = Guid.TryParse(trancheText, out var tranche) ? tranche : null;
        var check = new RequestCheck()
            .That(amountOk, "amount", "is required: a number with at most two decimals, such as 12000.00.")
            .That(trancheText.Length == 0 || trancheId is not null, "trancheId", "is not an id.")
            .MaxLength("note", note, InputLimits.Reason);
        if (check.HasErrors)
        {
            return new(null, Results.Problem(check.Result()));
        }

        if (form.Files.Count > limits.MaxFilesPerSubmission)
        {
            return new(null, Problems.BadRequest("too-many-files", $"At most {limits.MaxFilesPerSubmission} files per request."));
        }

        var files = new List<(EvidenceFile Meta, byte[] Content)>();
        foreach (var upload in form.Files)
        {
            var file = await SubmitMilestoneEndpoint.ReadEvidence(upload, limits, cancellation);
            if (file.Problem is not null)
            {
                return new(null, file.Problem);
            }

            files.Add(file.File!.Value);
        }

        return new((metadata, grantId) => new RequestPaymentCommand(grantId, amount, trancheId, note.Length == 0 ? null : note, files, metadata), null);
    }
}

/// <summary>A grantee user asks for a payment (its next tranche): amount, tranche, note and files already checked at the door.</summary>
public sealed record RequestPaymentCommand(Guid GrantId, decimal Amount, Guid? TrancheId, string? Note,
    IReadOnlyList<(EvidenceFile Meta, byte[] Content)> Files, RequestMetadata Metadata) : IGrantCommand
{
    public long? ExpectedVersion => null;
    public string? Reason => Note;
}

public static class RequestPaymentHandler
{
    /// <summary>The files are stored in the same transaction as the event that records their SHA-256; finance is told.</summary>
    public static (CommandOutcome, Events, OutgoingMessages) Handle(RequestPaymentCommand command, [WriteAggregate(Required = false)] Grant? grant,
        IDocumentSession session, IClock clock)
    {
        var requestId = Guid.NewGuid();
        var decided = GrantCommands.Decide(command, grant,
            g => RequestPaymentDecision.Decide(g, new RequestPayment(requestId, command.Amount, command.TrancheId, command.Note,
                command.Files.Select(f => f.Meta).ToList(), command.Metadata.UserId, clock.GetCurrentInstant())),
            (requested, version) => new PaymentRequestCreated(requested.RequestId, version,
                requested.Files.Select(f => PaymentRequestView.FileView(command.GrantId, requested.RequestId, f)).ToList()));
        if (decided.Item1.Accepted)
        {
            foreach (var (meta, content) in command.Files)
            {
                EvidenceStore.Store(session, command.GrantId, requestId, meta, content);
            }
        }

        return decided.Notifying(grant, session, clock);
    }
}

public sealed record DeclinePaymentRequestRequest(string Reason, long? ExpectedVersion = null);

/// <summary>Finance declines a payment request with a reason the grantee sees.</summary>
public sealed record DeclinePaymentRequestCommand(Guid GrantId, Guid RequestId, string Reason, long? ExpectedVersion, RequestMetadata Metadata)
    : IGrantCommand;

public static class DeclinePaymentRequestEndpoint
{
    public static ProblemDetails Validate(DeclinePaymentRequestRequest? request) =>
        request is null ? RequestCheck.Body(request).Result() : new RequestCheck().Text("reason", request.Reason, InputLimits.Reason).Result();

    [Authorize(Policy = Policies.Finance)]
    [WolverinePost("/api/grants/{grantId}/payment-requests/{requestId}/decline")]
    public static Task<IResult> Post(Guid grantId, Guid requestId, DeclinePaymentRequestRequest request, IMessageBus bus, HttpContext context) =>
        bus.Send(new DeclinePaymentRequestCommand(grantId, requestId, request.Reason.Trim(), request.ExpectedVersion, RequestMetadata.From(context)),
            outcome => outcome.ToOk(), context.RequestAborted);
}

public static class DeclinePaymentRequestHandler
{
    public static (CommandOutcome, Events, OutgoingMessages) Handle(DeclinePaymentRequestCommand command, [WriteAggregate(Required = false)] Grant? grant,
        IDocumentSession session, IClock clock) =>
        GrantCommands.Decide(command, grant,
                g => DeclinePaymentRequestDecision.Decide(g, new DeclinePaymentRequest(command.RequestId, command.Reason, command.Metadata.UserId)))
            .Notifying(grant, session, clock);
}
