using GrantLedger.Api.Http;
using GrantLedger.Api.Identity;
using GrantLedger.Domain.Budgets;
using GrantLedger.Domain.Programmes;
using Marten;
using Microsoft.AspNetCore.Authorization;
using JasperFx;
using Microsoft.AspNetCore.Mvc;
using NodaTime;
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
    BudgetRulesRequest? BudgetRules = null);

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
            .Text("code", request.Code, 40)
            .Text("name", request.Name)
            .Currency("currency", request.Currency, required: true)
            .TimeZone("timeZone", request.TimeZone)
            .OptionalText("reason", request.Reason)
            .That(request.BudgetRules is null || new[] { request.BudgetRules.IndirectCostCap, request.BudgetRules.ReallocationCap, request.BudgetRules.SpendThreshold }
                .All(v => v is null or >= 0m and <= 1m), "budgetRules", "caps and thresholds are shares between 0 and 1 (0.07 = 7%).")
            .Result();

    /// <summary>The threshold from which a payment needs a second person's approval, when the request names none.</summary>
    public const decimal DefaultApprovalThreshold = 10_000.00m;

    [Authorize(Policy = Policies.Finance)]
    [WolverinePost("/api/programmes")]
    public static async Task<IResult> Post(OpenProgrammeRequest request, IDocumentSession session, HttpContext context)
    {
        var code = request.Code.Trim();
        if (await session.LoadAsync<ProgrammeCode>(code) is not null)
        {
            return Problems.From(new("programme-code-taken", $"A programme with code {code} already exists."));
        }

        var command = new OpenProgramme(Guid.NewGuid(), code, request.Name.Trim(), request.Currency,
            request.Allocation, request.WindowStart, request.WindowEnd, request.TimeZone ?? "UTC",
            request.ApprovalThreshold ?? DefaultApprovalThreshold, (request.BudgetRules ?? new BudgetRulesRequest()).ToRules());
        var decision = OpenProgrammeDecision.Decide(command);
        if (!decision.IsSuccess)
        {
            return Problems.From(decision.Error!);
        }

        session.RecordedBy(RequestMetadata.From(context), request.Reason);
        session.Insert(new ProgrammeCode(code, command.ProgrammeId));
        session.Events.StartStream<Programme>(command.ProgrammeId, decision.Value);
        try
        {
            await session.SaveChangesAsync();
        }
        catch (DocumentAlreadyExistsException)
        {
            // Another request reserved the same code between our check and our commit.
            return Problems.From(new("programme-code-taken", $"A programme with code {code} already exists."));
        }

        return Results.Created($"/api/programmes/{command.ProgrammeId}", new StreamCreated(command.ProgrammeId, 1));
    }
}
