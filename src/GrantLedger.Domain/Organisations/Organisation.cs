using System.Collections.Immutable;

namespace GrantLedger.Domain.Organisations;

public enum BankAccountStatus
{
    Proposed,
    Approved,
    Rejected,
    Retired,
}

/// <summary>A bank account as the organisation sees it: proposed by one person, in effect only once another approved it.</summary>
public sealed record BankAccount(
    Guid Id,
    BankAccountDetails Details,
    BankAccountStatus Status,
    Guid? Replaces,
    string Reason,
    string ProposedBy,
    string? DecidedBy = null,
    string? DecisionReason = null)
{
    /// <summary>Payments may be sent to it.</summary>
    public bool IsPayable => Status == BankAccountStatus.Approved;
}

/// <summary>The organisation write model: who it is and where its money may be sent.</summary>
public sealed record Organisation(
    Guid Id,
    string LegalName,
    string ShortName,
    IReadOnlyList<string> Countries,
    string? RegistrationNumber,
    string? IatiIdentifier,
    string? IatiType,
    IReadOnlyList<OrganisationContact> Contacts,
    ImmutableList<BankAccount> Accounts,
    long Version = 0)
{
    public BankAccount? FindAccount(Guid accountId) => Accounts.FirstOrDefault(a => a.Id == accountId);
    public IEnumerable<BankAccount> PayableAccounts => Accounts.Where(a => a.IsPayable);

    public static Organisation Start(OrganisationRegistered e) =>
        new(e.OrganisationId, e.LegalName, e.ShortName, e.Countries, e.RegistrationNumber, e.IatiIdentifier, e.IatiType,
            e.Contacts, [], 1);

    /// <summary>Folds any event of the organisation stream; an unknown event is a bug, not a no-op.</summary>
    public Organisation Evolve(object e) => e switch
    {
        OrganisationDetailsChanged x => this with
        {
            LegalName = x.LegalName, ShortName = x.ShortName, Countries = x.Countries, RegistrationNumber = x.RegistrationNumber,
            IatiIdentifier = x.IatiIdentifier, IatiType = x.IatiType, Contacts = x.Contacts,
        },
        BankAccountProposed x => this with
        {
            Accounts = Accounts.Add(new BankAccount(x.AccountId, x.Details, BankAccountStatus.Proposed, x.Replaces, x.Reason, x.ProposedBy)),
        },
        BankAccountApproved x => With(x.AccountId, a => a with { Status = BankAccountStatus.Approved, DecidedBy = x.ApprovedBy })
            .With(x.Replaces ?? Guid.Empty, a => a with { Status = BankAccountStatus.Retired, DecisionReason = $"replaced by {x.AccountId}" }),
        BankAccountRejected x => With(x.AccountId, a => a with { Status = BankAccountStatus.Rejected, DecidedBy = x.RejectedBy, DecisionReason = x.Reason }),
        BankAccountRetired x => With(x.AccountId, a => a with { Status = BankAccountStatus.Retired, DecidedBy = x.RetiredBy, DecisionReason = x.Reason }),
        _ => throw new InvalidOperationException($"An organisation does not know how to apply {e.GetType().Name}."),
    } with { Version = Version + 1 };

    private Organisation With(Guid accountId, Func<BankAccount, BankAccount> change) =>
        this with { Accounts = Accounts.Select(a => a.Id == accountId ? change(a) : a).ToImmutableList() };
}
