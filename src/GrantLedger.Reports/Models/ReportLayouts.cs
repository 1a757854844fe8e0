using GrantLedger.Reports.Composition;
using NodaTime;
using NodaTime.Text;
using static GrantLedger.Reports.Composition.PdfComposer;

namespace GrantLedger.Reports.Models;

/// <summary>The audit chain head a report was sealed with, signed by the ledger's key (outside the database).</summary>
public sealed record ChainSeal(long Sequence, string Link, Instant SignedAt, string KeyId, string Signature);

/// <summary>What identifies a recorded report in its PDF: its id, and the signed chain head it was generated against.</summary>
public sealed record ReportSeal(Guid ReportId, ChainSeal? Chain = null);

/// <summary>Lays report models out as documents. Only layout: every figure comes from the model.</summary>
public static class ReportLayouts
{
    /// <param name="seal">The report this rendering is (its id printed, and in the metadata as <c>GrantLedgerReportId</c>, so a
    /// copy leads a verifier back to the ledger's record of it) and the signed chain head; none for a preview that is
    /// not a recorded report.</param>
    /// <param name="language">The grantee statement's language (English when none); the other reports are English only.</param>
    public static ReportDocument Layout(object model, string hash, ReportSeal? seal = null, ReportLanguage? language = null) => model switch
    {
        ProgrammeFinancialModel m => Programme(m, hash, seal),
        GranteeStatementModel m => Statement(m, hash, seal, language ?? ReportLanguage.English),
        MilestoneStatusModel m => Milestones(m, hash, seal),
        AuditTrailModel m => Audit(m, hash, seal),
        _ => throw new ArgumentException($"No layout for {model.GetType().Name}"),
    };

    /// <summary>"As of 2021-01-31 23:59 Asia/Bishkek (2021-01-31T17:59:00Z)"; in Russian "По состоянию на 31.01.2021 23:59 …".</summary>
    public static string AsOfLine(ReportHeader header, ReportLanguage? language = null)
    {
        var l = language ?? ReportLanguage.English;
        var zone = DateTimeZoneProviders.Tzdb.GetZoneOrNull(header.TimeZone) ?? DateTimeZone.Utc;
        var local = header.AsOf.InZone(zone);
        return l.Text("AsOf", l.DateTime(local.LocalDateTime), zone.Id, InstantPattern.ExtendedIso.Format(header.AsOf), header.Scope);
    }

    private static ReportStamp Stamp(ReportHeader header, string hash, ReportSeal? identity, Dictionary<string, string> extra,
        ReportLanguage? language = null)
    {
        var l = language ?? ReportLanguage.English;
        if (identity is { } seal)
        {
            extra["GrantLedgerReportId"] = seal.ReportId.ToString();
            if (seal.Chain is { } chain)
            {
                extra["GrantLedgerChainSequence"] = chain.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture);
                extra["GrantLedgerChainLink"] = chain.Link;
                extra["GrantLedgerChainSignedAt"] = InstantPattern.ExtendedIso.Format(chain.SignedAt);
                extra["GrantLedgerChainKeyId"] = chain.KeyId;
                extra["GrantLedgerChainSignature"] = chain.Signature;
            }
        }

        extra["GrantLedgerKind"] = header.Kind.ToString();
        extra["GrantLedgerAsOf"] = InstantPattern.ExtendedIso.Format(header.AsOf);
        extra["GrantLedgerPosition"] = header.Position.ToString(System.Globalization.CultureInfo.InvariantCulture);
        extra["GrantLedgerHash"] = hash;
        extra["GrantLedgerLanguage"] = l.Code;
        return new ReportStamp(AsOfLine(header, l), header.Position, hash, header.AsOf.ToDateTimeOffset(), extra);
    }

    private static IReadOnlyList<Block> Verification(ReportHeader header, string hash, ReportSeal? identity, ReportLanguage? language = null)
    {
        var l = language ?? ReportLanguage.English;
        var facts = new List<KeyValuePair<string, string>>
        {
            new(l.Text("VerificationAsOf"), AsOfLine(header, l)),
            new(l.Text("VerificationPosition"), header.Position.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new(l.Text("VerificationHash"), hash),
        };
        if (identity is { } seal)
        {
            facts.Insert(0, new(l.Text("VerificationReport"), seal.ReportId.ToString()));
            if (seal.Chain is { } chain)
            {
                facts.Add(new(l.Text("VerificationChain"), l.Text("VerificationChainValue", chain.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture), chain.Link)));
                facts.Add(new(l.Text("VerificationSigned"), l.Text("VerificationSignedValue", InstantPattern.ExtendedIso.Format(chain.SignedAt), chain.KeyId)));
            }
        }

        return
        [
            new Heading(l.Text("Verification"), 2),
            new Facts(facts),
            new Paragraph(l.Text("VerificationNote"), Muted: true),
        ];
    }

    private static ReportDocument Programme(ProgrammeFinancialModel m, string hash, ReportSeal? identity)
    {
        var grantees = m.Grantees.Select(g => (IReadOnlyList<string>)[g.Grantee, g.Countries, Amount(g.Awarded), Amount(g.Disbursed),
            Amount(g.Reserved), Amount(g.Remaining), Amount(g.SpentAtDonorRate), Amount(g.FxDifference)]).ToList();
        var blocks = new List<Block>
        {
            new Heading(m.Header.Title),
            new Paragraph($"{m.Programme} · {m.Currency} · implementation window {Date(m.WindowStart)} to {Date(m.WindowEnd)}"),
            new Facts([
                new("Allocation", $"{Amount(m.Allocation)} {m.Currency}"),
                new("Committed to grants", $"{Amount(m.Committed)} {m.Currency}"),
                new("Uncommitted (reserve)", $"{Amount(m.Uncommitted)} {m.Currency}"),
                new("Disbursed", $"{Amount(m.Disbursed)} {m.Currency}"),
                new("Awaiting approval", $"{Amount(m.Reserved)} {m.Currency}"),
                new("Remaining to disburse", $"{Amount(m.Remaining)} {m.Currency}"),
            ]),
            new Heading("Per grantee", 2),
            new Table(
                [new("Grantee", 2.6), new("Country", 0.8), new("Awarded", 1.2, Align.Right), new("Disbursed", 1.2, Align.Right),
                 new("Awaiting", 1.1, Align.Right), new("Remaining", 1.2, Align.Right), new("Spent, donor rate", 1.2, Align.Right),
                 new("FX diff.", 1.0, Align.Right)],
                grantees,
                ["Total", "", Amount(m.Grantees.Sum(g => g.Awarded)), Amount(m.Grantees.Sum(g => g.Disbursed)), Amount(m.Grantees.Sum(g => g.Reserved)),
                 Amount(m.Grantees.Sum(g => g.Remaining)), Amount(m.Grantees.Sum(g => g.SpentAtDonorRate)), Amount(m.Grantees.Sum(g => g.FxDifference))]),
            new LineChart("Cumulative disbursement against the tranche plan", m.Months.Select(x => x.Month).ToList(),
                [new Series("Disbursed (cumulative)", m.Months.Select(x => x.Cumulative).ToList()),
                 new Series("Tranche plan (cumulative)", m.Months.Select(x => x.PlannedCumulative).ToList(), Dashed: true)], m.Currency),
            new BarChart("Per grantee", m.Grantees.Select(g => g.Grantee).ToList(),
                [new Series("Awarded", m.Grantees.Select(g => g.Awarded).ToList()), new Series("Disbursed", m.Grantees.Select(g => g.Disbursed).ToList()),
                 new Series("Spent (donor rate)", m.Grantees.Select(g => g.SpentAtDonorRate).ToList())], m.Currency),
            new Heading("Per month", 2),
            new Table([new("Month", 1), new("Disbursed", 1.5, Align.Right), new("Cumulative", 1.5, Align.Right), new("Plan (cumulative)", 1.5, Align.Right)],
                m.Months.Select(x => (IReadOnlyList<string>)[x.Month, Amount(x.Disbursed), Amount(x.Cumulative), Amount(x.PlannedCumulative)]).ToList()),
            new Heading("Budget against actual, per heading (EUR)", 2),
            new Table([new("Heading", 2.4), new("Planned", 1.3, Align.Right), new("Spent, donor rate", 1.4, Align.Right), new("Spent, actual rate", 1.4, Align.Right),
                       new("FX difference", 1.2, Align.Right), new("Remaining", 1.3, Align.Right)],
                m.Headings.Select(h => (IReadOnlyList<string>)[h.Heading, Amount(h.Planned), Amount(h.SpentAtDonorRate), Amount(h.SpentAtActualRate),
                    Amount(h.FxDifference), Amount(h.Remaining)]).ToList(),
                ["Total", Amount(m.Headings.Sum(h => h.Planned)), Amount(m.Headings.Sum(h => h.SpentAtDonorRate)), Amount(m.Headings.Sum(h => h.SpentAtActualRate)),
                 Amount(m.Headings.Sum(h => h.FxDifference)), Amount(m.Headings.Sum(h => h.Remaining))]),
        };
        blocks.AddRange(Verification(m.Header, hash, identity));
        return new ReportDocument(m.Header.Title, m.Header.Scope, Stamp(m.Header, hash, identity, new() { ["GrantLedgerScope"] = m.Header.Scope }), blocks);
    }

    /// <summary>
    /// The grantee-facing statement, in the grantee's language: fixed texts, money and dates follow it; what the grantee
    /// or finance entered (names, titles, references, notes, reasons) is printed as recorded.
    /// </summary>
    private static ReportDocument Statement(GranteeStatementModel m, string hash, ReportSeal? identity, ReportLanguage l)
    {
        string Money(decimal value) => $"{l.Amount(value)} {m.Currency}";
        // Russian column titles are longer: their tables share the width differently (English keeps its layout, so a
        // stored English statement re-renders with the same page breaks).
        double W(double english, double russian) => l == ReportLanguage.English ? english : russian;
        string YesNo(bool value) => l.Text(value ? "Yes" : "No");
        var title = l.Text("StatementTitle");
        var blocks = new List<Block>
        {
            new Heading(title),
            new Paragraph($"{m.Grantee} · {m.Title}"),
            new Facts([
                new(l.Text("Countries"), m.Countries),
                new(l.Text("GrantWindow"), l.Text("DateRange", l.Date(m.WindowStart), l.Date(m.WindowEnd))),
                new(l.Text("Awarded"), Money(m.Awarded)),
                new(l.Text("Disbursed"), Money(m.Disbursed)),
                new(l.Text("AwaitingApproval"), Money(m.Reserved)),
                new(l.Text("Remaining"), Money(m.Remaining)),
                new(l.Text("SpentAtDonorRate"), Money(m.SpentAtDonorRate)),
                new(l.Text("SpentAtActualRate"), Money(m.SpentAtActualRate)),
                new(l.Text("FxDifference"), Money(m.FxDifference)),
            ]),
            new Heading(l.Text("Tranches"), 2),
            new Table([new(l.Text("ColumnNumber"), 0.5), new(l.Text("ColumnAmount"), 1.2, Align.Right), new(l.Text("ColumnPaid"), 1.2, Align.Right),
                       new(l.Text("ColumnPaidAfter"), W(3, 2.6)), new(l.Text("ColumnLocked"), W(0.8, 1.2))],
                m.Tranches.Select(t => (IReadOnlyList<string>)[t.Number.ToString(System.Globalization.CultureInfo.InvariantCulture), l.Amount(t.Amount),
                    l.Amount(t.Paid), t.Gate == ReportModels.OnSignature ? l.Text("OnSignature") : t.Gate, YesNo(t.Locked)]).ToList()),
            new Heading(l.Text("Payments"), 2),
            new Table([new(l.Text("ColumnValueDate"), W(1, 1.4)), new(l.Text("ColumnReference"), W(1.4, 1.2)), new(l.Text("ColumnAmount"), 1.1, Align.Right),
                       new(l.Text("ColumnStatus"), W(1, 1.2)), new(l.Text("ColumnNoteOrReason"), W(3, 2.6))],
                m.Payments.Select(p => (IReadOnlyList<string>)[l.Date(p.ValueDate), p.Reference, l.Amount(p.Amount), Coded(l, "Payment", p.Status), p.Note ?? ""]).ToList()),
            new Heading(l.Text("Milestones"), 2),
            new Table([new(l.Text("ColumnDue"), 1), new(l.Text("ColumnMilestone"), 3), new(l.Text("ColumnKind"), 1), new(l.Text("ColumnStatus"), 1),
                       new(l.Text("ColumnOverdue"), 0.8)],
                m.Milestones.Select(x => (IReadOnlyList<string>)[l.Date(x.DueDate), x.Title, Coded(l, "Kind", x.Kind), Coded(l, "Milestone", x.Status),
                    YesNo(x.Overdue)]).ToList()),
            new Heading(l.Text("Budget"), 2),
            new Table([new(l.Text("ColumnCode"), 0.6), new(l.Text("ColumnHeading"), 1.6), new(l.Text("ColumnDescription"), 2.4),
                       new(l.Text("ColumnPlanned"), 1.1, Align.Right), new(l.Text("ColumnSpentDonor"), 1.1, Align.Right),
                       new(l.Text("ColumnSpentActual"), 1.1, Align.Right), new(l.Text("ColumnFxDifference"), 1, Align.Right),
                       new(l.Text("ColumnRemaining"), 1.1, Align.Right)],
                m.Budget.Select(b => (IReadOnlyList<string>)[b.Code, b.Heading, b.Description, l.Amount(b.Planned), l.Amount(b.SpentAtDonorRate),
                    l.Amount(b.SpentAtActualRate), l.Amount(b.FxDifference), l.Amount(b.Remaining)]).ToList()),
        };
        blocks.AddRange(Verification(m.Header, hash, identity, l));
        return new ReportDocument(title, m.Header.Scope,
            Stamp(m.Header, hash, identity, new() { ["GrantLedgerScope"] = m.Header.Scope }, l), blocks, l.Chrome);
    }

    /// <summary>
    /// A status or kind the model records as an English code ("awaiting approval", "interim"), in the report's language:
    /// the resource named for it ("PaymentAwaitingApproval", "KindInterim"); an unknown code is printed as it is.
    /// </summary>
    private static string Coded(ReportLanguage l, string prefix, string code)
    {
        var key = prefix + string.Concat(code.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(w => char.ToUpperInvariant(w[0]) + w[1..]));
        return l.TextOr(key, code);
    }

    private static ReportDocument Milestones(MilestoneStatusModel m, string hash, ReportSeal? identity)
    {
        var blocks = new List<Block>
        {
            new Heading(m.Header.Title),
            new Facts([
                new("Planned", m.Planned.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                new("Submitted, awaiting review", m.Submitted.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                new("Confirmed", m.Confirmed.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                new("Rejected", m.Rejected.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                new("Overdue", m.Overdue.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ]),
            new Table([new("Due", 1), new("Grantee", 2.4), new("Milestone", 3), new("Status", 1), new("Overdue", 0.8)],
                m.Milestones.Select(x => (IReadOnlyList<string>)[Date(x.DueDate), x.Grantee, x.Title, x.Status, x.Overdue ? "yes" : "no"]).ToList()),
        };
        blocks.AddRange(Verification(m.Header, hash, identity));
        return new ReportDocument(m.Header.Title, m.Header.Scope, Stamp(m.Header, hash, identity, new() { ["GrantLedgerScope"] = m.Header.Scope }), blocks);
    }

    private static ReportDocument Audit(AuditTrailModel m, string hash, ReportSeal? identity)
    {
        var period = $"{(m.From is { } f ? InstantPattern.ExtendedIso.Format(f) : "the beginning")} to {(m.To is { } t ? InstantPattern.ExtendedIso.Format(t) : "the as-of instant")}";
        var blocks = new List<Block>
        {
            new Heading(m.Header.Title),
            new Paragraph($"Every event recorded from {period}: {m.Events.Count} event(s)."),
            new Table([new("No.", 0.6), new("Recorded (UTC)", 1.6), new("Event", 1.8), new("Who", 2), new("Role", 1), new("Why", 2.6)],
                m.Events.Select(e => (IReadOnlyList<string>)[e.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    InstantPattern.General.Format(e.RecordedAt), e.EventType, e.Actor, e.Role, e.Reason]).ToList()),
        };
        blocks.AddRange(Verification(m.Header, hash, identity));
        return new ReportDocument(m.Header.Title, m.Header.Scope, Stamp(m.Header, hash, identity, new() { ["GrantLedgerScope"] = m.Header.Scope }), blocks);
    }

    private static string Date(LocalDate date) => LocalDatePattern.Iso.Format(date);
}
