using GrantLedger.Api.Http;
using GrantLedger.Api.Identity;
using GrantLedger.Domain.Budgets;
using GrantLedger.Domain.Programmes;
using Marten;
using Microsoft.AspNetCore.Authorization;
using JasperFx;
using Microsoft.AspNetCore.Mvc;
using NodaTime;
using Wolverine;
using Wolverine.Http;

namespace GrantLedger.Api.Programmes;

public sealed record OpenProgrammeRequest(
    string Code,
    string Name,
    string Currency,
    decimal Allocation,
    LocalDate WindowStart,
    LocalDate WindowEnd,
    string? TimeZone = null,
    string? Reason = null,
    decimal? ApprovalThreshold = null,
    BudgetRulesRequest? BudgetRules = null,
    int? ApprovalWindowDays = null);

/// <summary>The donor's budget rules; any left out take the defaults (six headings, 7%, 25%, 70%).</summary>
public sealed record BudgetRulesRequest(IReadOnlyList<string>? Headings = null, decimal? IndirectCostCap = null, decimal? ReallocationCap = null,
    decimal? SpendThreshold = null)
{
    public BudgetRules ToRules() => new(
        Headings ?? BudgetRules.Default.Headings,
        IndirectCostCap ?? BudgetRules.Default.IndirectCostCap,
        ReallocationCap ?? BudgetRules.Default.ReallocationCap,
        SpendThreshold ?? BudgetRules.Default.SpendThreshold);
}

public sealed record StreamCreated(Guid Id, long Version);

/// <summary>Reserves a programme code: the document id is the code, so two programmes can never share one.</summary>
public sealed record ProgrammeCode(string Code, Guid ProgrammeId);

public static class OpenProgrammeEndpoint
{
    public static ProblemDetails Validate(OpenProgrammeRequest? request) =>
        request is null ? RequestCheck.Body(request).Result() : new RequestCheck()
            .Text("code", request.Code, InputLimits.Code)
            .Text("name", request.Name, InputLimits.Name)
            .MaxLength("timeZone", request.TimeZone, InputLimits.Token)
            .EachText("budgetRules.headings", request.BudgetRules?.Headings, InputLimits.Headings, InputLimits.Heading)
            .Currency("currency", request.Currency, required: true)
            .TimeZone("timeZone", request.TimeZone)
            .OptionalText("reason", request.Reason, InputLimits.Reason)
            .That(request.BudgetRules is null || new[] { request.BudgetRules.IndirectCostCap, request.BudgetRules.ReallocationCap, request.BudgetRules.SpendThreshold }
                .All(v => v is null or >= 0m and <= 1m), "budgetRules", "caps and thresholds are shares between 0 and 1 (0.07 = 7%).")
            .Result();

    /// <summary>The threshold from which a payment needs a second person's approval, when the request names none (or the
    /// allocation, if that is smaller: a threshold above the allocation is refused).</summary>
    public const decimal DefaultApprovalThreshold = 10_000.00m;

    [Authorize(Policy = Policies.Finance)]
    [WolverinePost("/api/programmes")]
    public static Task<IResult> Post(OpenProgrammeRequest request, IMessageBus bus, HttpContext context)
    {
        var programme = new OpenProgramme(Guid.NewGuid(), request.Code.Trim(), request.Name.Trim(), request.Currency,
            request.Allocation, request.WindowStart, request.WindowEnd, request.TimeZone ?? "UTC",
            request.ApprovalThreshold ?? Math.Min(DefaultApprovalThreshold, request.Allocation), (request.BudgetRules ?? new BudgetRulesRequest()).ToRules(),
            request.ApprovalWindowDays);
        return bus.Send(new OpenProgrammeCommand(programme, request.Reason, RequestMetadata.From(context)),
            $"/api/programmes/{programme.ProgrammeId}", context.RequestAborted);
    }
}

/// <summary>Finance opens a programme under a code no other programme holds.</summary>
public sealed record OpenProgrammeCommand(OpenProgramme Programme, string? Reason, RequestMetadata Metadata) : ILedgerCommand;

public static class OpenProgrammeHandler
{
    public static async Task<CommandOutcome> Handle(OpenProgrammeCommand command, IDocumentSession session, CancellationToken cancellation)
    {
        var (id, code) = (command.Programme.ProgrammeId, command.Programme.Code);
        if (await session.LoadAsync<ProgrammeCode>(code, cancellation) is not null)
        {
            return CodeTaken(code);
        }

        var decision = OpenProgrammeDecision.Decide(command.Programme);
        if (!decision.IsSuccess)
        {
            return CommandOutcome.Refused(decision.Error!);
        }

        session.Insert(new ProgrammeCode(code, id));
        session.Events.StartStream<Programme>(id, decision.Value);
        try
        {
            // Committed here rather than by the transaction policy after the handler, so that a lost race for the
            // code is answered as the taken code it is, not as a generic conflict.
            await session.SaveChangesAsync(cancellation);
        }
        catch (DocumentAlreadyExistsException)
        {
            // Another request reserved the same code between our check and our commit; nothing of ours is left to commit.
            session.EjectAllPendingChanges();
            return CodeTaken(code);
        }

        return new CommandOutcome(null, 1, new StreamCreated(id, 1));
    }

    private static CommandOutcome CodeTaken(string code) =>
        CommandOutcome.Refused(new("programme-code-taken", $"A programme with code {code} already exists."));
}
