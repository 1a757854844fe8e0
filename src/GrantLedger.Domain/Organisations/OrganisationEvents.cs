namespace GrantLedger.Domain.Organisations;

/// <summary>Someone at the organisation ECARO deals with (a programme officer, a finance contact).</summary>
public sealed record OrganisationContact(string Name, string? Role, string? Email, string? Phone);

/// <summary>A grantee organisation was registered: the record grants and grantee users are bound to by id, never by name.</summary>
public sealed record OrganisationRegistered(
    Guid OrganisationId,
    string LegalName,
    string ShortName,
    IReadOnlyList<string> Countries,
    string? RegistrationNumber,
    string? IatiIdentifier,
    string? IatiType,
    IReadOnlyList<OrganisationContact> Contacts,
    string RegisteredBy);

/// <summary>The organisation's details were corrected or updated (the whole record restated), with a reason.</summary>
public sealed record OrganisationDetailsChanged(
    Guid OrganisationId,
    string LegalName,
    string ShortName,
    IReadOnlyList<string> Countries,
    string? RegistrationNumber,
    string? IatiIdentifier,
    string? IatiType,
    IReadOnlyList<OrganisationContact> Contacts,
    string Reason,
    string ChangedBy);

/// <summary>Where money can be sent. <paramref name="AccountNumber"/> is an IBAN where the country uses them, else the
/// bank's account number.</summary>
public sealed record BankAccountDetails(
    string Holder,
    string AccountNumber,
    string? Swift,
    string BankName,
    string BankCountry,
    string? IntermediaryBank,
    string Currency);

/// <summary>A new bank account (or a change to one: <paramref name="Replaces"/>) was proposed. It takes effect only when
/// a different finance or approver user approves it; until then no payment can be sent to it.</summary>
public sealed record BankAccountProposed(
    Guid OrganisationId,
    Guid AccountId,
    BankAccountDetails Details,
    Guid? Replaces,
    string Reason,
    string ProposedBy);

/// <summary>A second person approved the proposed account: payments may be sent to it (and the account it replaces, if
/// any, is retired).</summary>
public sealed record BankAccountApproved(Guid OrganisationId, Guid AccountId, Guid? Replaces, string ApprovedBy);

/// <summary>A proposed account was turned down: it never took effect.</summary>
public sealed record BankAccountRejected(Guid OrganisationId, Guid AccountId, string Reason, string RejectedBy);

/// <summary>An approved account may no longer be paid to (closed, or the grantee asked), with a reason.</summary>
public sealed record BankAccountRetired(Guid OrganisationId, Guid AccountId, string Reason, string RetiredBy);
