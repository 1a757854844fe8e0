using GrantLedger.Domain.Programmes;

namespace GrantLedger.Domain.Organisations;

/// <summary>Who the organisation is, as finance registers or restates it.</summary>
public sealed record OrganisationDetails(
    string LegalName,
    string ShortName,
    IReadOnlyList<string> Countries,
    string? RegistrationNumber,
    string? IatiIdentifier,
    string? IatiType,
    IReadOnlyList<OrganisationContact> Contacts)
{
    public OrganisationDetails Trimmed() => this with
    {
        LegalName = LegalName.Trim(), ShortName = ShortName.Trim(),
        RegistrationNumber = string.IsNullOrWhiteSpace(RegistrationNumber) ? null : RegistrationNumber.Trim(),
        IatiIdentifier = string.IsNullOrWhiteSpace(IatiIdentifier) ? null : IatiIdentifier.Trim(),
        IatiType = string.IsNullOrWhiteSpace(IatiType) ? null : IatiType.Trim(),
    };
}

public static class OrganisationDecisions
{
    public static OrganisationRegistered Register(Guid organisationId, OrganisationDetails details, string registeredBy)
    {
        var d = details.Trimmed();
        return new(organisationId, d.LegalName, d.ShortName, d.Countries, d.RegistrationNumber, d.IatiIdentifier, d.IatiType, d.Contacts, registeredBy);
    }

    public static OrganisationDetailsChanged Change(Organisation organisation, OrganisationDetails details, string reason, string changedBy)
    {
        var d = details.Trimmed();
        return new(organisation.Id, d.LegalName, d.ShortName, d.Countries, d.RegistrationNumber, d.IatiIdentifier, d.IatiType, d.Contacts,
            reason.Trim(), changedBy);
    }

    /// <summary>A new account, or a change to an approved one (<paramref name="replaces"/>); nothing is payable until a
    /// second person approves it.</summary>
    public static Result<BankAccountProposed> Propose(Organisation organisation, Guid accountId, BankAccountDetails details, Guid? replaces,
        string reason, string proposedBy)
    {
        if (replaces is { } replaced && organisation.FindAccount(replaced) is not { IsPayable: true })
        {
            return new DomainError("bank-account-not-approved",
                $"Account {replaced} is not an approved account of {organisation.ShortName}; only an approved account can be changed.");
        }

        return BankAccountFormat.Check(details).Then<BankAccountProposed>(checkedDetails =>
            new BankAccountProposed(organisation.Id, accountId, checkedDetails, replaces, reason.Trim(), proposedBy));
    }

    public static Result<BankAccountApproved> Approve(Organisation organisation, Guid accountId, string approvedBy) =>
        Proposed(organisation, accountId).Then<BankAccountApproved>(account =>
            account.ProposedBy == approvedBy
                ? DomainErrors.SamePersonApproval(FourEyesRule.BankAccount)
                : new BankAccountApproved(organisation.Id, account.Id, account.Replaces, approvedBy));

    public static Result<BankAccountRejected> Reject(Organisation organisation, Guid accountId, string reason, string rejectedBy) =>
        Proposed(organisation, accountId).Then<BankAccountRejected>(account =>
            new BankAccountRejected(organisation.Id, account.Id, reason.Trim(), rejectedBy));

    public static Result<BankAccountRetired> Retire(Organisation organisation, Guid accountId, string reason, string retiredBy) =>
        organisation.FindAccount(accountId) switch
        {
            null => NotFound(accountId),
            { IsPayable: false } => new DomainError("bank-account-not-approved", $"Account {accountId} is not an approved account; there is nothing to retire."),
            var account => new BankAccountRetired(organisation.Id, account.Id, reason.Trim(), retiredBy),
        };

    private static Result<BankAccount> Proposed(Organisation organisation, Guid accountId) =>
        organisation.FindAccount(accountId) switch
        {
            null => NotFound(accountId),
            { Status: not BankAccountStatus.Proposed } => new DomainError("not-awaiting-approval",
                $"Account {accountId} is not awaiting approval.", Rule: FourEyesRule.BankAccount),
            var account => account,
        };

    private static DomainError NotFound(Guid accountId) =>
        new("bank-account-not-found", $"The organisation has no bank account {accountId}.", ErrorKind.NotFound);
}

/// <summary>Which account a payment is sent to: the one named, if approved and active; else the only approved one.</summary>
public static class PaymentAccount
{
    public static Result<Guid> Choose(Organisation? organisation, Guid? requested)
    {
        var payable = organisation?.PayableAccounts.ToList() ?? [];
        if (requested is { } id)
        {
            return payable.Any(a => a.Id == id)
                ? id
                : new DomainError("bank-account-not-approved",
                    $"Account {id} is not an approved, active account of the grantee; payments go only to an account a second person approved.");
        }

        return payable.Count switch
        {
            0 => new DomainError("no-approved-bank-account",
                "The grantee has no approved bank account: propose one and have a second person approve it before paying."),
            1 => payable[0].Id,
            _ => new DomainError("bank-account-required", "The grantee has several approved accounts: name the one to pay (bankAccountId)."),
        };
    }
}
