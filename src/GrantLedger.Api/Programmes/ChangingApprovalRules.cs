using GrantLedger.Api.Http;
using GrantLedger.Api.Identity;
using GrantLedger.Domain.Programmes;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine;
using Wolverine.Http;

namespace GrantLedger.Api.Programmes;

/// <param name="ApprovalThreshold">The new threshold (no larger than the allocation).</param>
/// <param name="WindowDays">Over how many days a grant's payments are added up (1 to 366; default 30).</param>
public sealed record ProposeApprovalRulesRequest(decimal ApprovalThreshold, string Reason, int? WindowDays = null, long? ExpectedVersion = null);

public sealed record DecideApprovalRulesRequest(string? Reason = null, long? ExpectedVersion = null);

/// <param name="Rule">Always <c>approval-rule-change</c>: a second person must approve.</param>
public sealed record ApprovalRulesProposal(Guid Id, long Version, string Status, string Rule = FourEyesRule.RuleChange);

/// <summary>Finance proposes new approval rules; they apply only once another approver approves them.</summary>
public sealed record ProposeApprovalRulesCommand(Guid ProgrammeId, ProposeApprovalRuleChange Change, long? ExpectedVersion, RequestMetadata Metadata)
    : ILedgerCommand
{
    public string? Reason => Change.Reason;
}

/// <summary>An approver approves (never their own proposal) or rejects proposed approval rules.</summary>
public sealed record DecideApprovalRulesCommand(Guid ProgrammeId, Guid ProposalId, bool Approve, string? Note, long? ExpectedVersion, RequestMetadata Metadata)
    : ILedgerCommand
{
    public string? Reason => Note ?? (Approve ? "approval rules approved" : "approval rules rejected");
}

/// <summary>Hand-written loading like the award's: programme commands have no aggregate workflow of their own (ADR 0010).</summary>
public static class ProposeApprovalRulesHandler
{
    public static async Task<CommandOutcome> Handle(ProposeApprovalRulesCommand command, IDocumentSession session)
    {
        var loaded = await session.ForWriting<Programme>(command.ProgrammeId, command.ExpectedVersion, "programme");
        if (loaded.Problem is not null)
        {
            return new CommandOutcome(loaded.Problem);
        }

        var decision = ApprovalRuleChangeDecisions.Propose(loaded.Aggregate, command.Change);
        if (!decision.IsSuccess)
        {
            return CommandOutcome.Refused(decision.Error!);
        }

        loaded.Stream.AppendOne(decision.Value);
        var version = loaded.NextVersion();
        return new CommandOutcome(null, version, new ApprovalRulesProposal(command.Change.ProposalId, version, "awaiting-approval"));
    }
}

public static class DecideApprovalRulesHandler
{
    public static async Task<CommandOutcome> Handle(DecideApprovalRulesCommand command, IDocumentSession session)
    {
        var loaded = await session.ForWriting<Programme>(command.ProgrammeId, command.ExpectedVersion, "programme");
        if (loaded.Problem is not null)
        {
            return new CommandOutcome(loaded.Problem);
        }

        var decision = ApprovalRuleChangeDecisions.Decide(loaded.Aggregate,
            new DecideApprovalRuleChange(command.ProposalId, command.Approve, command.Metadata.UserId, command.Note));
        if (!decision.IsSuccess)
        {
            return CommandOutcome.Refused(decision.Error!);
        }

        loaded.Stream.AppendOne(decision.Value);
        var version = loaded.NextVersion();
        return new CommandOutcome(null, version, new ApprovalRulesProposal(command.ProposalId, version, command.Approve ? "approved" : "rejected"));
    }
}

public static class ProposeApprovalRulesEndpoint
{
    public static ProblemDetails Validate(ProposeApprovalRulesRequest? request) =>
        request is null ? RequestCheck.Body(request).Result() : RequestCheck.Reasoned(request.Reason, request.ExpectedVersion);

    [Authorize(Policy = Policies.Finance)]
    [WolverinePost("/api/programmes/{programmeId}/approval-rules")]
    public static Task<IResult> Post(Guid programmeId, ProposeApprovalRulesRequest request, IMessageBus bus, HttpContext context)
    {
        var metadata = RequestMetadata.From(context);
        var change = new ProposeApprovalRuleChange(Guid.NewGuid(), request.ApprovalThreshold, request.WindowDays, request.Reason.Trim(), metadata.UserId);
        return bus.Send(new ProposeApprovalRulesCommand(programmeId, change, request.ExpectedVersion, metadata),
            $"/api/programmes/{programmeId}", context.RequestAborted);
    }
}

public static class ApproveApprovalRulesEndpoint
{
    public static ProblemDetails Validate(DecideApprovalRulesRequest? request) =>
        request is null ? WolverineContinue.NoProblems : RequestCheck.Approval(request.Reason, request.ExpectedVersion, "reason");

    [Authorize(Policy = Policies.Approve)]
    [WolverinePost("/api/programmes/{programmeId}/approval-rules/{proposalId}/approval")]
    public static Task<IResult> Post(Guid programmeId, Guid proposalId, DecideApprovalRulesRequest? request, IMessageBus bus, HttpContext context) =>
        bus.Send(new DecideApprovalRulesCommand(programmeId, proposalId, true, string.IsNullOrWhiteSpace(request?.Reason) ? null : request.Reason.Trim(),
            request?.ExpectedVersion, RequestMetadata.From(context)), $"/api/programmes/{programmeId}", context.RequestAborted);
}

public static class RejectApprovalRulesEndpoint
{
    public static ProblemDetails Validate(DecideApprovalRulesRequest? request) =>
        request is null ? RequestCheck.Body(request).Result() : RequestCheck.Reasoned(request.Reason, request.ExpectedVersion);

    [Authorize(Policy = Policies.Approve)]
    [WolverinePost("/api/programmes/{programmeId}/approval-rules/{proposalId}/rejection")]
    public static Task<IResult> Post(Guid programmeId, Guid proposalId, DecideApprovalRulesRequest request, IMessageBus bus, HttpContext context) =>
        bus.Send(new DecideApprovalRulesCommand(programmeId, proposalId, false, request.Reason!.Trim(), request.ExpectedVersion, RequestMetadata.From(context)),
            $"/api/programmes/{programmeId}", context.RequestAborted);
}
