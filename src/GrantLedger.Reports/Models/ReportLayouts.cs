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
    public static ReportDocument Layout(object model, string hash, ReportSeal? seal = null) => model switch
    {
        ProgrammeFinancialModel m => Programme(m, hash, seal),
        GranteeStatementModel m => Statement(m, hash, seal),
        MilestoneStatusModel m => Milestones(m, hash, seal),
        AuditTrailModel m => Audit(m, hash, seal),
        _ => throw new ArgumentException($"No layout for {model.GetType().Name}"),
    };

    /// <summary>"As of 2021-01-31 23:59 Asia/Bishkek (2021-01-31T17:59:00Z)".</summary>
    public static string AsOfLine(ReportHeader header)
    {
        var zone = DateTimeZoneProviders.Tzdb.GetZoneOrNull(header.TimeZone) ?? DateTimeZone.Utc;
        var local = header.AsOf.InZone(zone);
        return $"As of {LocalDateTimePattern.CreateWithInvariantCulture("uuuu-MM-dd HH:mm").Format(local.LocalDateTime)} {zone.Id} " +
               $"({InstantPattern.ExtendedIso.Format(header.AsOf)}) · {header.Scope}";
    }

    private static ReportStamp Stamp(ReportHeader header, string hash, ReportSeal? identity, Dictionary<string, string> extra)
    {
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
        return new ReportStamp(AsOfLine(header), header.Position, hash, header.AsOf.ToDateTimeOffset(), extra);
    }

    private static IReadOnlyList<Block> Verification(ReportHeader header, string hash, ReportSeal? identity)
    {
        var facts = new List<KeyValuePair<string, string>>
        {
            new("As of (recorded time)", AsOfLine(header)),
            new("Event-store position", header.Position.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new("SHA-256 of the figures", hash),
        };
        if (identity is { } seal)
        {
            facts.Insert(0, new("Report", seal.ReportId.ToString()));
            if (seal.Chain is { } chain)
            {
                facts.Add(new("Audit chain head (signed)", $"event {chain.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture)}, link {chain.Link}"));
                facts.Add(new("Signed", $"{InstantPattern.ExtendedIso.Format(chain.SignedAt)} with key {chain.KeyId} (GET /api/audit/public-key)"));
            }
        }

        return
        [
            new Heading("Verification", 2),
            new Facts(facts),
            new Paragraph("Anyone can check this report: upload it to POST /api/reports/verification, which finds the ledger's record " +
                "of it, compares the file and its printed figures with the figures rebuilt from the events as of the same instant, " +
                "and checks the audit chain over those events. Regenerating the report for the same as-of instant gives the same " +
                "SHA-256 of the figures. The signed audit chain head (signature in this file's metadata) fixes the ledger's " +
                "history up to that event: a later rewrite of it no longer matches the signature.", Muted: true),
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

    private static ReportDocument Statement(GranteeStatementModel m, string hash, ReportSeal? identity)
    {
        var blocks = new List<Block>
        {
            new Heading(m.Header.Title),
            new Paragraph($"{m.Grantee} · {m.Title}"),
            new Facts([
                new("Countries", m.Countries),
                new("Grant window", $"{Date(m.WindowStart)} to {Date(m.WindowEnd)}"),
                new("Awarded", $"{Amount(m.Awarded)} {m.Currency}"),
                new("Disbursed", $"{Amount(m.Disbursed)} {m.Currency}"),
                new("Awaiting approval", $"{Amount(m.Reserved)} {m.Currency}"),
                new("Remaining", $"{Amount(m.Remaining)} {m.Currency}"),
                new("Spent, donor rate", $"{Amount(m.SpentAtDonorRate)} {m.Currency}"),
                new("Spent, actual rate", $"{Amount(m.SpentAtActualRate)} {m.Currency}"),
                new("FX difference", $"{Amount(m.FxDifference)} {m.Currency}"),
            ]),
            new Heading("Tranches", 2),
            new Table([new("No.", 0.5), new("Amount", 1.2, Align.Right), new("Paid", 1.2, Align.Right), new("Paid after", 3), new("Locked", 0.8)],
                m.Tranches.Select(t => (IReadOnlyList<string>)[t.Number.ToString(System.Globalization.CultureInfo.InvariantCulture), Amount(t.Amount),
                    Amount(t.Paid), t.Gate, t.Locked ? "yes" : "no"]).ToList()),
            new Heading("Disbursements and reversals", 2),
            new Table([new("Value date", 1), new("Reference", 1.4), new("Amount", 1.1, Align.Right), new("Status", 1), new("Note or reason", 3)],
                m.Payments.Select(p => (IReadOnlyList<string>)[Date(p.ValueDate), p.Reference, Amount(p.Amount), p.Status, p.Note ?? ""]).ToList()),
            new Heading("Milestones", 2),
            new Table([new("Due", 1), new("Milestone", 3), new("Kind", 1), new("Status", 1), new("Overdue", 0.8)],
                m.Milestones.Select(x => (IReadOnlyList<string>)[Date(x.DueDate), x.Title, x.Kind, x.Status, x.Overdue ? "yes" : "no"]).ToList()),
            new Heading("Budget against actual, per line (EUR)", 2),
            new Table([new("Code", 0.6), new("Heading", 1.6), new("Description", 2.4), new("Planned", 1.1, Align.Right), new("Spent, donor", 1.1, Align.Right),
                       new("Spent, actual", 1.1, Align.Right), new("FX diff.", 1, Align.Right), new("Remaining", 1.1, Align.Right)],
                m.Budget.Select(b => (IReadOnlyList<string>)[b.Code, b.Heading, b.Description, Amount(b.Planned), Amount(b.SpentAtDonorRate),
                    Amount(b.SpentAtActualRate), Amount(b.FxDifference), Amount(b.Remaining)]).ToList()),
        };
        blocks.AddRange(Verification(m.Header, hash, identity));
        return new ReportDocument(m.Header.Title, m.Header.Scope, Stamp(m.Header, hash, identity, new() { ["GrantLedgerScope"] = m.Header.Scope }), blocks);
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
