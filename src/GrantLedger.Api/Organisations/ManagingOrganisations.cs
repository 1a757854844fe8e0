using GrantLedger.Api.Http;
using GrantLedger.Api.Identity;
using GrantLedger.Api.Notifications;
using GrantLedger.Domain.Organisations;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using NodaTime;
using Wolverine;
using Wolverine.Http;

namespace GrantLedger.Api.Organisations;

/// <param name="IatiType">The IATI OrganisationType code (e.g. 21 international NGO, 22 national NGO, 23 regional NGO).</param>
/// <param name="Reason">Required when the details are changed (PUT).</param>
public sealed record OrganisationRequest(
    string LegalName,
    string ShortName,
    IReadOnlyList<string> Countries,
    string? RegistrationNumber = null,
    string? IatiIdentifier = null,
    string? IatiType = null,
    IReadOnlyList<OrganisationContact>? Contacts = null,
    string? Reason = null,
    long? ExpectedVersion = null)
{
    public OrganisationDetails Details() =>
        new(LegalName, ShortName, Countries, RegistrationNumber, IatiIdentifier, IatiType,
            [.. (Contacts ?? []).Select(c => new OrganisationContact(c.Name.Trim(), c.Role?.Trim(), c.Email?.Trim(), c.Phone?.Trim()))]);
}

/// <param name="Replaces">The approved account this one changes; it is retired when this one is approved.</param>
public sealed record BankAccountRequest(
    string Holder,
    string AccountNumber,
    string BankName,
    string BankCountry,
    string Currency,
    string Reason,
    string? Swift = null,
    string? IntermediaryBank = null,
    Guid? Replaces = null,
    long? ExpectedVersion = null)
{
    public BankAccountDetails Details() => new(Holder, AccountNumber, Swift, BankName, BankCountry, IntermediaryBank, Currency);
}

public sealed record BankAccountDecisionRequest(string? Reason = null, long? ExpectedVersion = null);

/// <summary>The organisation or account written, and the organisation stream's version after it.</summary>
public sealed record OrganisationWritten(Guid Id, long Version, Guid? AccountId = null, string? Status = null, string? Rule = null);

public static class OrganisationChecks
{
    public static RequestCheck Organisation(this RequestCheck check, OrganisationRequest request) => check
        .Text("legalName", request.LegalName, InputLimits.Title)
        .Text("shortName", request.ShortName, InputLimits.Name)
        .Countries("countries", request.Countries)
        .Count("countries", request.Countries, InputLimits.Countries)
        .MaxLength("registrationNumber", request.RegistrationNumber, InputLimits.Reference)
        .MaxLength("iatiIdentifier", request.IatiIdentifier, InputLimits.Reference)
        .That(request.IatiIdentifier is null || !request.IatiIdentifier.Any(char.IsWhiteSpace), "iatiIdentifier", "has no spaces (e.g. XI-IATI-…, KZ-BIN-…).")
        .That(request.IatiType is null || (request.IatiType.Length <= 3 && request.IatiType.All(char.IsAsciiDigit)), "iatiType",
            "is an IATI OrganisationType code such as 21, 22 or 23.")
        .Count("contacts", request.Contacts, InputLimits.Contacts)
        .Each("contacts", request.Contacts, InputLimits.Contacts, (c, field, contact) => c
            .Text($"{field}.name", contact.Name, InputLimits.Name)
            .MaxLength($"{field}.role", contact.Role, InputLimits.Name)
            .MaxLength($"{field}.email", contact.Email, InputLimits.Email)
            .MaxLength($"{field}.phone", contact.Phone, InputLimits.Reference))
        .ExpectedVersion(request.ExpectedVersion);

    public static RequestCheck BankAccount(this RequestCheck check, BankAccountRequest request) => check
        .Text("holder", request.Holder, InputLimits.Name)
        .Text("accountNumber", request.AccountNumber, InputLimits.AccountNumber)
        .Text("bankName", request.BankName, InputLimits.Name)
        .Text("bankCountry", request.BankCountry, 2)
        .Currency("currency", request.Currency, required: true)
        .MaxLength("swift", request.Swift, InputLimits.Bic)
        .MaxLength("intermediaryBank", request.IntermediaryBank, InputLimits.Title)
        .Text("reason", request.Reason, InputLimits.Reason)
        .ExpectedVersion(request.ExpectedVersion);
}

public sealed record RegisterOrganisationCommand(Guid OrganisationId, OrganisationDetails Details, RequestMetadata Metadata) : ILedgerCommand
{
    public string? Reason => "organisation registered";
}

public sealed record ChangeOrganisationCommand(Guid OrganisationId, OrganisationDetails Details, string Reason, long? ExpectedVersion, RequestMetadata Metadata)
    : ILedgerCommand
{
    string? ILedgerCommand.Reason => Reason;
}

public sealed record ProposeBankAccountCommand(Guid OrganisationId, Guid AccountId, BankAccountDetails Details, Guid? Replaces, string Reason,
    long? ExpectedVersion, RequestMetadata Metadata) : ILedgerCommand
{
    string? ILedgerCommand.Reason => Reason;
}

public enum BankAccountDecision
{
    Approve,
    Reject,
    Retire,
}

public sealed record DecideBankAccountCommand(Guid OrganisationId, Guid AccountId, BankAccountDecision Decision, string? Note, long? ExpectedVersion,
    RequestMetadata Metadata) : ILedgerCommand
{
    public string? Reason => Note ?? (Decision == BankAccountDecision.Approve ? "approved" : null);
}

public static class RegisterOrganisationHandler
{
    public static CommandOutcome Handle(RegisterOrganisationCommand command, IDocumentSession session)
    {
        session.Events.StartStream<Organisation>(command.OrganisationId,
            OrganisationDecisions.Register(command.OrganisationId, command.Details, command.Metadata.UserId));
        return new CommandOutcome(null, 1, new OrganisationWritten(command.OrganisationId, 1));
    }
}

/// <summary>Hand-written loading like the programme's commands (organisation commands have no aggregate workflow of their own, ADR 0010).</summary>
public static class ChangeOrganisationHandler
{
    public static async Task<CommandOutcome> Handle(ChangeOrganisationCommand command, IDocumentSession session)
    {
        var loaded = await session.ForWriting<Organisation>(command.OrganisationId, command.ExpectedVersion, "organisation");
        if (loaded.Problem is not null)
        {
            return new CommandOutcome(loaded.Problem);
        }

        loaded.Stream.AppendOne(OrganisationDecisions.Change(loaded.Aggregate, command.Details, command.Reason, command.Metadata.UserId));
        var version = loaded.NextVersion();
        return new CommandOutcome(null, version, new OrganisationWritten(command.OrganisationId, version));
    }
}

public static class ProposeBankAccountHandler
{
    public static async Task<CommandOutcome> Handle(ProposeBankAccountCommand command, IDocumentSession session, IMessageBus bus, IClock clock)
    {
        // A grantee user proposes for its own organisation only; another's is as unknown as a missing one.
        if (command.Metadata.Grantee is { } own && own != command.OrganisationId)
        {
            return CommandOutcome.NotFound("organisation", command.OrganisationId);
        }

        var loaded = await session.ForWriting<Organisation>(command.OrganisationId, command.ExpectedVersion, "organisation");
        if (loaded.Problem is not null)
        {
            return new CommandOutcome(loaded.Problem);
        }

        var decision = OrganisationDecisions.Propose(loaded.Aggregate, command.AccountId, command.Details, command.Replaces, command.Reason,
            command.Metadata.UserId);
        if (!decision.IsSuccess)
        {
            return CommandOutcome.Refused(decision.Error!);
        }

        loaded.Stream.AppendOne(decision.Value);
        await BankAccountNotices.Record(session, bus, loaded.Aggregate, decision.Value, clock.GetCurrentInstant());
        var version = loaded.NextVersion();
        return new CommandOutcome(null, version,
            new OrganisationWritten(command.OrganisationId, version, command.AccountId, "awaiting-approval", Domain.Programmes.FourEyesRule.BankAccount));
    }
}

public static class DecideBankAccountHandler
{
    public static async Task<CommandOutcome> Handle(DecideBankAccountCommand command, IDocumentSession session, IMessageBus bus, IClock clock)
    {
        var loaded = await session.ForWriting<Organisation>(command.OrganisationId, command.ExpectedVersion, "organisation");
        if (loaded.Problem is not null)
        {
            return new CommandOutcome(loaded.Problem);
        }

        var (organisation, by) = (loaded.Aggregate, command.Metadata.UserId);
        var decision = command.Decision switch
        {
            BankAccountDecision.Approve => OrganisationDecisions.Approve(organisation, command.AccountId, by).Then<object>(e => e),
            BankAccountDecision.Reject => OrganisationDecisions.Reject(organisation, command.AccountId, command.Note!, by).Then<object>(e => e),
            _ => OrganisationDecisions.Retire(organisation, command.AccountId, command.Note!, by).Then<object>(e => e),
        };
        if (!decision.IsSuccess)
        {
            return CommandOutcome.Refused(decision.Error!);
        }

        loaded.Stream.AppendOne(decision.Value);
        await BankAccountNotices.Record(session, bus, organisation, decision.Value, clock.GetCurrentInstant());
        var version = loaded.NextVersion();
        var status = command.Decision switch { BankAccountDecision.Approve => "approved", BankAccountDecision.Reject => "rejected", _ => "retired" };
        return new CommandOutcome(null, version, new OrganisationWritten(command.OrganisationId, version, command.AccountId, status));
    }
}

/// <summary>
/// Changing a grantee's bank details is the classic payment-diversion fraud: the organisation's own users hear of every
/// proposal and every approval (feed and e-mail, whatever their preferences), so an unexpected change is noticed.
/// </summary>
public static class BankAccountNotices
{
    public static async Task Record(IDocumentSession session, IMessageBus bus, Organisation organisation, object e, Instant now)
    {
        var (kind, account, details) = e switch
        {
            BankAccountProposed p => (NotificationKinds.BankAccountProposed, p.AccountId, p.Details),
            BankAccountApproved a when organisation.FindAccount(a.AccountId) is { } approved => (NotificationKinds.BankAccountApproved, a.AccountId, approved.Details),
            _ => (null, Guid.Empty, null),
        };
        if (kind is null || details is null)
        {
            return;
        }

        var masked = BankAccountFormat.Mask(details.AccountNumber);
        var message = kind == NotificationKinds.BankAccountProposed
            ? $"A bank account {masked} at {details.BankName} was proposed for {organisation.ShortName}; it takes effect only once a second person approves it."
            : $"The bank account {masked} at {details.BankName} of {organisation.ShortName} was approved: payments may now be sent to it.";
        var notice = new Notification(Notification.IdFor(kind, organisation.Id, null, account.ToString()), now, kind, Guid.Empty,
            organisation.ShortName, null, message, Facts: new NotificationFacts(Title: details.BankName, Reference: masked),
            OrganisationId: organisation.Id);
        session.Store(notice);
        await bus.PublishAsync(new DeliverNotification(notice.Id));
    }
}

public static class RegisterOrganisationEndpoint
{
    public static ProblemDetails Validate(OrganisationRequest? request) =>
        request is null ? RequestCheck.Body(request).Result() : new RequestCheck().Organisation(request).Result();

    [Authorize(Policy = Policies.Finance)]
    [WolverinePost("/api/organisations")]
    public static Task<IResult> Post(OrganisationRequest request, IMessageBus bus, HttpContext context)
    {
        var id = Guid.NewGuid();
        return bus.Send(new RegisterOrganisationCommand(id, request.Details(), RequestMetadata.From(context)), $"/api/organisations/{id}",
            context.RequestAborted);
    }
}

public static class ChangeOrganisationEndpoint
{
    public static ProblemDetails Validate(OrganisationRequest? request) =>
        request is null ? RequestCheck.Body(request).Result() : new RequestCheck().Organisation(request).Text("reason", request.Reason, InputLimits.Reason).Result();

    [Authorize(Policy = Policies.Finance)]
    [WolverinePut("/api/organisations/{id}")]
    public static Task<IResult> Put(Guid id, OrganisationRequest request, IMessageBus bus, HttpContext context) =>
        bus.Send(new ChangeOrganisationCommand(id, request.Details(), request.Reason!.Trim(), request.ExpectedVersion, RequestMetadata.From(context)),
            outcome => outcome.ToOk(), context.RequestAborted);
}

public static class ProposeBankAccountEndpoint
{
    public static ProblemDetails Validate(BankAccountRequest? request) =>
        request is null ? RequestCheck.Body(request).Result() : new RequestCheck().BankAccount(request).Result();

    [Authorize(Policy = Policies.ProposeBankAccount)]
    [WolverinePost("/api/organisations/{id}/bank-accounts")]
    public static Task<IResult> Post(Guid id, BankAccountRequest request, IMessageBus bus, HttpContext context)
    {
        var accountId = Guid.NewGuid();
        return bus.Send(new ProposeBankAccountCommand(id, accountId, request.Details(), request.Replaces, request.Reason.Trim(), request.ExpectedVersion,
            RequestMetadata.From(context)), $"/api/organisations/{id}", context.RequestAborted);
    }
}

public static class ApproveBankAccountEndpoint
{
    public static ProblemDetails Validate(BankAccountDecisionRequest? request) =>
        request is null ? WolverineContinue.NoProblems : RequestCheck.Approval(request.Reason, request.ExpectedVersion, "reason");

    [Authorize(Policy = Policies.Approve)]
    [WolverinePost("/api/organisations/{id}/bank-accounts/{accountId}/approve")]
    public static Task<IResult> Post(Guid id, Guid accountId, BankAccountDecisionRequest? request, IMessageBus bus, HttpContext context) =>
        bus.Send(new DecideBankAccountCommand(id, accountId, BankAccountDecision.Approve,
            string.IsNullOrWhiteSpace(request?.Reason) ? null : request.Reason.Trim(), request?.ExpectedVersion, RequestMetadata.From(context)),
            $"/api/organisations/{id}", context.RequestAborted);
}

public static class RejectBankAccountEndpoint
{
    public static ProblemDetails Validate(BankAccountDecisionRequest? request) =>
        request is null ? RequestCheck.Body(request).Result() : RequestCheck.Reasoned(request.Reason, request.ExpectedVersion);

    [Authorize(Policy = Policies.Approve)]
    [WolverinePost("/api/organisations/{id}/bank-accounts/{accountId}/reject")]
    public static Task<IResult> Post(Guid id, Guid accountId, BankAccountDecisionRequest request, IMessageBus bus, HttpContext context) =>
        bus.Send(new DecideBankAccountCommand(id, accountId, BankAccountDecision.Reject, request.Reason!.Trim(), request.ExpectedVersion,
            RequestMetadata.From(context)), $"/api/organisations/{id}", context.RequestAborted);
}

public static class RetireBankAccountEndpoint
{
    public static ProblemDetails Validate(BankAccountDecisionRequest? request) =>
        request is null ? RequestCheck.Body(request).Result() : RequestCheck.Reasoned(request.Reason, request.ExpectedVersion);

    [Authorize(Policy = Policies.Finance)]
    [WolverinePost("/api/organisations/{id}/bank-accounts/{accountId}/retire")]
    public static Task<IResult> Post(Guid id, Guid accountId, BankAccountDecisionRequest request, IMessageBus bus, HttpContext context) =>
        bus.Send(new DecideBankAccountCommand(id, accountId, BankAccountDecision.Retire, request.Reason!.Trim(), request.ExpectedVersion,
            RequestMetadata.From(context)), $"/api/organisations/{id}", context.RequestAborted);
}
