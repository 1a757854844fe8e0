using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using GrantLedger.Domain;
using GrantLedger.Domain.Currencies;
using GrantLedger.Domain.Expenditure;
using GrantLedger.Domain.Grants;
using GrantLedger.Domain.Programmes;
using GrantLedger.Reports.Models;
using NodaTime;
using NodaTime.Text;

namespace GrantLedger.Reports.Interchange;

/// <summary>
/// A programme as an IATI 2.03 activity file: the programme is the parent activity (hierarchy 1), each grant a child
/// (hierarchy 2). Built from the same events and the same fold (<see cref="LedgerState.Fold"/>) as the PDF reports, so
/// its figures are the reports' figures. Element order follows the xsd:sequence of the 2.03 activity schema.
/// </summary>
public static partial class IatiActivities
{
    public const string Version = "2.03";

    /// <summary>TransactionType codes used here.</summary>
    public static class TransactionTypes
    {
        public const string OutgoingCommitment = "2";
        public const string Disbursement = "3";
        public const string Expenditure = "4";
        public const string IncomingCommitment = "11";
    }

    private static readonly XNamespace Xml = XNamespace.Xml;

    public static XDocument Build(IReadOnlyList<RecordedEvent> events, Guid programmeId, Instant asOf, IatiSettings settings)
    {
        var state = LedgerState.Fold(events);
        var programme = state.Programmes[programmeId];
        var zone = DateTimeZoneProviders.Tzdb.GetZoneOrNull(programme.TimeZone) ?? DateTimeZone.Utc;
        var today = asOf.InZone(zone).Date;
        var recorded = events.GroupBy(e => e.StreamId).ToDictionary(g => g.Key, g => g.First().RecordedAt.InZone(zone).Date);
        var grants = programme.Commitments
            .Select((c, i) => (Number: i + 1, Grant: state.Grants.GetValueOrDefault(c.GrantId)))
            .Where(x => x.Grant is not null)
            .Select(x => (x.Number, Grant: x.Grant!))
            .ToList();
        var amountChanges = events.Where(e => e.Data is Domain.Amendments.GrantAmountChanged)
            .Select(e => (Change: (Domain.Amendments.GrantAmountChanged)e.Data, Date: e.RecordedAt.InZone(zone).Date))
            .ToList();

        var parentId = Identifier(settings.Prefix, programme.Code);
        string ChildId(int number) => $"{parentId}-G{number}";
        var generated = InstantPattern.General.Format(asOf);

        var parent = Activity(settings, parentId, 1, programme.Currency, generated,
            programme.Name, $"{programme.Name} ({programme.Code}): an allocation of {Amount(programme.Allocation.Amount)} {programme.Currency} " +
                            $"for grants from {Date(programme.WindowStart)} to {Date(programme.WindowEnd)}, reported from the grant ledger as of {generated}.",
            grants.Select(g => Grantee(settings, state, g.Grant)).DistinctBy(o => (o.Ref, o.Name)).ToList(),
            Status(programme.WindowStart, programme.WindowEnd, today),
            programme.WindowStart, programme.WindowEnd,
            FirstPayment(grants.Select(g => g.Grant), today),
            CountryShares(grants.Select(g => g.Grant)));
        parent.Add(Budgets(programme.WindowStart, programme.WindowEnd, programme.Allocation.Amount));
        parent.Add(Transaction(TransactionTypes.IncomingCommitment, Earlier(programme.WindowStart, recorded.GetValueOrDefault(programme.Id, programme.WindowStart)),
            programme.Allocation.Amount, $"Allocation of {programme.Code} committed by the funder",
            Org("provider-org", settings.FundingOrg), null));
        parent.Add(grants.Select(g => Related("2", ChildId(g.Number))));

        var children = grants.Select(g =>
        {
            var (number, grant) = g;
            var grantee = Grantee(settings, state, grant);
            XElement Provider() => Org("provider-org", settings.ReportingOrg, "provider-activity-id", parentId);
            XElement Receiver() => Org("receiver-org", grantee);

            var child = Activity(settings, ChildId(number), 2, grant.Currency, generated, $"{grant.Title} – {grant.Grantee}",
                $"Grant of {programme.Code} to {grant.Grantee}: {grant.Title}.", [grantee],
                Status(grant.WindowStart, grant.WindowEnd, today), grant.WindowStart, grant.WindowEnd, FirstPayment([grant], today),
                EqualShares(grant.Countries), grant.Id);
            child.Add(Budgets(grant.WindowStart, grant.WindowEnd, grant.Amount.Amount));
            child.Add(grant.Tranches.OrderBy(t => t.Number).Select(t =>
            {
                var date = ReportModels.PlannedDate(grant, t);
                return new XElement("planned-disbursement", new XAttribute("type", "1"),
                    new XElement("period-start", new XAttribute("iso-date", Date(date))),
                    new XElement("period-end", new XAttribute("iso-date", Date(date))),
                    Value(t.Amount.Amount, date), Provider(), Receiver());
            }));

            // The award, then every approved change of it: their sum is the grant as awarded now.
            var changes = amountChanges.Where(c => c.Change.GrantId == grant.Id).ToList();
            var awarded = changes.Count > 0 ? changes[0].Change.From.Amount : grant.Amount.Amount;
            child.Add(Transaction(TransactionTypes.OutgoingCommitment, Earlier(grant.WindowStart, recorded.GetValueOrDefault(grant.Id, grant.WindowStart)),
                awarded, $"Grant awarded to {grant.Grantee}", Provider(), Receiver()));
            child.Add(changes.Select(c => Transaction(TransactionTypes.OutgoingCommitment, c.Date, c.Change.To.Amount - c.Change.From.Amount,
                "Grant amount changed by an approved amendment", Provider(), Receiver())));

            child.Add(grant.Disbursements.Where(d => d.CountsAsDisbursed).OrderBy(d => d.ValueDate).ThenBy(d => d.BankReference).Select(d =>
                Transaction(TransactionTypes.Disbursement, d.ValueDate, d.Amount.Amount,
                    d.TrancheId is { } t && grant.FindTranche(t) is { } tranche ? $"Tranche {tranche.Number}" : "Payment",
                    Provider(), Receiver())));
            // Money the bank sent back: a negative disbursement on the return's value date, never a reversal (which would
            // say the payment was a mistake). The bank's reason stays out of published data (it may name sanctions screening).
            child.Add(grant.Disbursements.Where(d => d.CountsAsDisbursed && d.IsReturned).OrderBy(d => d.ReturnedOn).ThenBy(d => d.BankReference).Select(d =>
                Transaction(TransactionTypes.Disbursement, d.ReturnedOn!.Value, -d.ReturnedAmount!.Value.Amount,
                    $"Returned by the bank: payment of {d.ValueDate:uuuu-MM-dd}", Provider(), Receiver())));

            child.Add(Expenditures(grant, state.Rates).Select(x => Transaction(TransactionTypes.Expenditure, x.Date, x.Amount, x.Description,
                Org("provider-org", grantee), null)));
            child.Add(Related("1", parentId));
            return child;
        });

        return new XDocument(new XDeclaration("1.0", "utf-8", null),
            new XElement("iati-activities", new XAttribute("version", Version), new XAttribute("generated-datetime", generated),
                parent, children));
    }

    /// <summary>
    /// Accepted expenditure valued at the donor rate (the figure the reports call "spent at the donor rate"), one
    /// transaction per budget line and month so no single expense line of a grantee is published. Entries without a
    /// donor rate for their month are left out, as the reports leave them out of the total.
    /// </summary>
    public static IEnumerable<(LocalDate Date, decimal Amount, string Description)> Expenditures(Grant grant, FxRateTable rates)
    {
        var valuation = new Valuation(rates, new Dictionary<string, decimal>());
        var lines = grant.Budget?.Lines.ToDictionary(l => l.LineId) ?? [];
        return grant.Entries.Where(e => e.Status == EntryStatus.Accepted)
            .Select(e => (e.Entry, Eur: valuation.AtDonorRate(e.Entry.Amount, e.Entry.Date)))
            .Where(x => x.Eur is not null)
            .GroupBy(x => (Month: x.Entry.Date.ToYearMonth(), x.Entry.BudgetLineId))
            .OrderBy(g => g.Key.Month).ThenBy(g => lines.GetValueOrDefault(g.Key.BudgetLineId)?.Code, StringComparer.Ordinal)
            .Select(g => (g.Max(x => x.Entry.Date), g.Sum(x => x.Eur!.Value.Amount),
                $"Expenditure accepted for {YearMonthPattern.Iso.Format(g.Key.Month)}, budget line " +
                (lines.GetValueOrDefault(g.Key.BudgetLineId) is { } line ? $"{line.Code} ({line.Heading})" : "no longer in the budget")));
    }

    private static XElement Activity(IatiSettings settings, string identifier, int hierarchy, string currency, string generated, string title,
        string description, IReadOnlyList<IatiOrganisation> implementers, string status, LocalDate start, LocalDate end, LocalDate? actualStart,
        IReadOnlyList<(string Country, decimal Percentage)> countries, Guid? internalId = null)
    {
        var activity = new XElement("iati-activity",
            new XAttribute("last-updated-datetime", generated), new XAttribute(Xml + "lang", settings.Language),
            new XAttribute("default-currency", currency), new XAttribute("hierarchy", hierarchy.ToString(CultureInfo.InvariantCulture)),
            new XElement("iati-identifier", identifier),
            new XElement("reporting-org", new XAttribute("ref", settings.ReportingOrg.Ref), new XAttribute("type", settings.ReportingOrg.Type),
                Narrative(settings.ReportingOrg.Name)),
            new XElement("title", Narrative(title)),
            new XElement("description", new XAttribute("type", "1"), Narrative(description)),
            Participant(settings.FundingOrg, "1"),
            Participant(settings.Accountable, "2"),
            implementers.Select(i => Participant(i, "4")));
        if (internalId is { } id)
        {
            // A1: the reporting organisation's own identifier for the activity (the ledger's grant id).
            activity.Add(new XElement("other-identifier", new XAttribute("ref", id.ToString()), new XAttribute("type", "A1")));
        }

        activity.Add(new XElement("activity-status", new XAttribute("code", status)),
            new XElement("activity-date", new XAttribute("type", "1"), new XAttribute("iso-date", Date(start))),
            actualStart is { } actual ? new XElement("activity-date", new XAttribute("type", "2"), new XAttribute("iso-date", Date(actual))) : null,
            new XElement("activity-date", new XAttribute("type", "3"), new XAttribute("iso-date", Date(end))));
        if (countries.Count > 0)
        {
            activity.Add(new XElement("activity-scope", new XAttribute("code", countries.Count > 1 ? "3" : "4")));
        }

        activity.Add(countries.Select(c => new XElement("recipient-country", new XAttribute("code", c.Country), new XAttribute("percentage", Amount(c.Percentage)))),
            new XElement("sector", new XAttribute("vocabulary", "1"), new XAttribute("code", settings.Sector), new XAttribute("percentage", "100")),
            new XElement("policy-marker", new XAttribute("vocabulary", "1"), new XAttribute("code", settings.PolicyMarker),
                new XAttribute("significance", settings.PolicyMarkerSignificance)),
            Coded("default-flow-type", settings.DefaultFlowType),
            Coded("default-finance-type", settings.DefaultFinanceType),
            string.IsNullOrWhiteSpace(settings.DefaultAidType) ? null
                : new XElement("default-aid-type", new XAttribute("code", settings.DefaultAidType), new XAttribute("vocabulary", "1")),
            Coded("default-tied-status", settings.DefaultTiedStatus));
        return activity;
    }

    /// <summary>ActivityStatus: 1 pipeline before the window, 2 implementation within it, 3 finalisation after it.</summary>
    private static string Status(LocalDate start, LocalDate end, LocalDate today) => today < start ? "1" : today <= end ? "2" : "3";

    private static LocalDate? FirstPayment(IEnumerable<Grant> grants, LocalDate today) =>
        grants.SelectMany(g => g.Disbursements.Where(d => d.CountsAsDisbursed)).Select(d => (LocalDate?)d.ValueDate)
            .Where(d => d <= today).DefaultIfEmpty(null).Min();

    /// <summary>Budgets of at most twelve months from the window's start, the amount spread by days (the last period takes
    /// the rounding), so they add up to the amount exactly.</summary>
    public static IEnumerable<XElement> Budgets(LocalDate start, LocalDate end, decimal amount)
    {
        var periods = new List<(LocalDate Start, LocalDate End)>();
        for (var from = start; from <= end; from = from.PlusYears(1))
        {
            var to = from.PlusYears(1).PlusDays(-1);
            periods.Add((from, to < end ? to : end));
        }

        var totalDays = Period.DaysBetween(start, end) + 1;
        var left = amount;
        foreach (var (period, i) in periods.Select((p, i) => (p, i)))
        {
            var value = i == periods.Count - 1
                ? left
                : Math.Round(amount * (Period.DaysBetween(period.Start, period.End) + 1) / totalDays, Money.Decimals, MidpointRounding.AwayFromZero);
            left -= value;
            yield return new XElement("budget", new XAttribute("type", "1"), new XAttribute("status", "2"),
                new XElement("period-start", new XAttribute("iso-date", Date(period.Start))),
                new XElement("period-end", new XAttribute("iso-date", Date(period.End))),
                Value(value, period.Start));
        }
    }

    /// <summary>The programme's countries weighted by each grant's award, a grant's award split equally among its
    /// countries; percentages with two decimals adding up to exactly 100.</summary>
    public static IReadOnlyList<(string Country, decimal Percentage)> CountryShares(IEnumerable<Grant> grants)
    {
        var weights = new Dictionary<string, decimal>();
        foreach (var grant in grants.Where(g => g.Amount.Amount > 0m && g.Countries.Count > 0))
        {
            foreach (var country in grant.Countries.Distinct())
            {
                weights[country] = weights.GetValueOrDefault(country) + grant.Amount.Amount / grant.Countries.Distinct().Count();
            }
        }

        return Percentages(weights);
    }

    public static IReadOnlyList<(string Country, decimal Percentage)> EqualShares(IReadOnlyList<string> countries) =>
        Percentages(countries.Distinct().ToDictionary(c => c, _ => 1m));

    /// <summary>Largest remainder: each share rounded down to the cent, the missing cents to the largest remainders.</summary>
    private static IReadOnlyList<(string Country, decimal Percentage)> Percentages(Dictionary<string, decimal> weights)
    {
        var total = weights.Values.Sum();
        if (total <= 0m)
        {
            return [];
        }

        var exact = weights.Select(w => (Country: w.Key, Exact: w.Value * 100m / total)).ToList();
        var floored = exact.Select(e => (e.Country, e.Exact, Floor: Math.Floor(e.Exact * 100m) / 100m)).ToList();
        var cents = (int)Math.Round((100m - floored.Sum(f => f.Floor)) * 100m);
        var bonus = floored.OrderByDescending(f => f.Exact - f.Floor).ThenBy(f => f.Country, StringComparer.Ordinal).Take(cents)
            .Select(f => f.Country).ToHashSet();
        return floored.Select(f => (f.Country, f.Floor + (bonus.Contains(f.Country) ? 0.01m : 0m)))
            .OrderByDescending(f => f.Item2).ThenBy(f => f.Country, StringComparer.Ordinal).ToList();
    }

    private static XElement Transaction(string type, LocalDate date, decimal amount, string description, XElement? provider, XElement? receiver) =>
        new("transaction",
            new XElement("transaction-type", new XAttribute("code", type)),
            new XElement("transaction-date", new XAttribute("iso-date", Date(date))),
            Value(amount, date),
            new XElement("description", Narrative(description)),
            provider, receiver);

    private static XElement Value(decimal amount, LocalDate valueDate) =>
        new("value", new XAttribute("value-date", Date(valueDate)), Amount(amount));

    private static XElement Participant(IatiOrganisation org, string role) =>
        new("participating-org",
            string.IsNullOrWhiteSpace(org.Ref) ? null : new XAttribute("ref", org.Ref),
            string.IsNullOrWhiteSpace(org.Type) ? null : new XAttribute("type", org.Type),
            new XAttribute("role", role),
            Narrative(org.Name));

    private static XElement Org(string element, IatiOrganisation org, string? activityAttribute = null, string? activityId = null) =>
        new(element,
            string.IsNullOrWhiteSpace(org.Ref) ? null : new XAttribute("ref", org.Ref),
            activityAttribute is null ? null : new XAttribute(activityAttribute, activityId!),
            string.IsNullOrWhiteSpace(org.Type) ? null : new XAttribute("type", org.Type),
            Narrative(org.Name));

    private static XElement Related(string type, string identifier) =>
        new("related-activity", new XAttribute("ref", identifier), new XAttribute("type", type));

    private static XElement? Coded(string element, string code) =>
        string.IsNullOrWhiteSpace(code) ? null : new XElement(element, new XAttribute("code", code));

    private static XElement Narrative(string text) => new("narrative", text);

    /// <summary>
    /// The implementing organisation: its registered legal name, IATI identifier and type when the grant is bound to an
    /// organisation (ADR 0014), the settings' entry for the name (or none) otherwise; an organisation without an IATI
    /// identifier falls back to the settings' entry for its short name.
    /// </summary>
    private static IatiOrganisation Grantee(IatiSettings settings, LedgerState state, Domain.Grants.Grant grant)
    {
        var configured = Grantee(settings, grant.Grantee);
        return state.OrganisationOf(grant) is { } organisation
            ? new IatiOrganisation
            {
                Ref = organisation.IatiIdentifier ?? configured.Ref,
                Type = organisation.IatiType ?? configured.Type,
                Name = organisation.LegalName,
            }
            : configured;
    }

    private static IatiOrganisation Grantee(IatiSettings settings, string name) =>
        settings.Grantees.TryGetValue(name, out var org)
            ? new IatiOrganisation { Ref = org.Ref, Type = string.IsNullOrWhiteSpace(org.Type) ? settings.DefaultGranteeType : org.Type, Name = name }
            : new IatiOrganisation { Type = settings.DefaultGranteeType, Name = name };

    private static LocalDate Earlier(LocalDate a, LocalDate b) => a < b ? a : b;

    /// <summary>IATI identifiers take no spaces, slashes, ampersands or question marks.</summary>
    public static string Identifier(string prefix, string code) => $"{prefix}-{Unsafe().Replace(code.Trim(), "-")}";

    private static string Date(LocalDate date) => LocalDatePattern.Iso.Format(date);

    private static string Amount(decimal value) => value.ToString("0.00", CultureInfo.InvariantCulture);

    [GeneratedRegex(@"[\s/&?]+")]
    private static partial Regex Unsafe();
}
