using System.Collections.Immutable;
using NodaTime;

namespace GrantLedger.Domain.Grants;

/// <summary>A payment as the grant sees it; a reversed one no longer counts as disbursed.</summary>
public sealed record Disbursement(
    Guid Id,
    Money Amount,
    LocalDate ValueDate,
    string BankReference,
    string? Note,
    bool Reversed,
    string? ReversalReason);

/// <summary>The grant write model: the amount awarded and the money paid against it.</summary>
public sealed record Grant(
    Guid Id,
    Guid ProgrammeId,
    string Grantee,
    IReadOnlyList<string> Countries,
    string Title,
    Money Amount,
    LocalDate WindowStart,
    LocalDate WindowEnd,
    ImmutableList<Disbursement> Disbursements)
{
    public string Currency => Amount.Currency;
    public DateWindow Window => new(WindowStart, WindowEnd);
    public Money Disbursed => Disbursements.Where(d => !d.Reversed).Select(d => d.Amount).Sum(Currency);
    public Money Remaining => Amount - Disbursed;

    public Disbursement? FindDisbursement(Guid disbursementId) =>
        Disbursements.FirstOrDefault(d => d.Id == disbursementId);

    public static Grant Create(GrantAwarded e) =>
        new(e.GrantId, e.ProgrammeId, e.Grantee, e.Countries, e.Title, e.Amount, e.WindowStart, e.WindowEnd, []);

    public Grant Apply(DisbursementRecorded e) =>
        this with
        {
            Disbursements = Disbursements.Add(
                new Disbursement(e.DisbursementId, e.Amount, e.ValueDate, e.BankReference, e.Note, false, null)),
        };

    public Grant Apply(DisbursementReversed e) =>
        this with
        {
            Disbursements = Disbursements
                .Select(d => d.Id == e.DisbursementId ? d with { Reversed = true, ReversalReason = e.Reason } : d)
                .ToImmutableList(),
        };
}
