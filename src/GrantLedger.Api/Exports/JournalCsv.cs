using System.Runtime.CompilerServices;
using GrantLedger.Api.Reports;
using GrantLedger.Reports.Interchange;
using GrantLedger.Reports.Models;
using Microsoft.Extensions.Options;
using NodaTime;

namespace GrantLedger.Api.Exports;

/// <summary>
/// The double-entry journal for the organisation's accounting system (<see cref="Journal"/>): two lines per entry, each
/// entry balanced, accounts from <c>GrantLedger:Journal:Accounts</c>, each line carrying the event's id and sequence.
/// <c>from</c>/<c>to</c> are booking dates (to exclusive); the funder's books, so not for grantees.
/// </summary>
public sealed class JournalCsv : CsvExport<JournalCsv.Row>
{
    public sealed record Row(JournalEntry Entry, JournalLine Line);

    public override string Kind => "journal";

    public override bool GranteesMayAsk => false;

    protected override IReadOnlyList<(string Header, Func<Row, string?> Cell)> Columns { get; } =
    [
        ("entry", r => r.Entry.EntryId),
        ("date", r => Date(r.Entry.Date)),
        ("kind", r => r.Entry.Kind),
        ("account", r => r.Line.Account.Code),
        ("accountName", r => r.Line.Account.Name),
        ("debit", r => Amount(r.Line.Debit)),
        ("credit", r => Amount(r.Line.Credit)),
        ("currency", r => r.Entry.Currency),
        ("programme", r => r.Entry.Programme),
        ("grantId", r => r.Entry.GrantId.ToString()),
        ("grantee", r => r.Entry.Grantee),
        ("organisationId", r => r.Entry.OrganisationId?.ToString()),
        ("reference", r => r.Entry.Reference),
        ("description", r => r.Entry.Description),
        ("eventId", r => r.Entry.EventId.ToString()),
        ("sequence", r => Number(r.Entry.Sequence)),
        ("recordedAt", r => Instant(r.Entry.RecordedAt)),
    ];

    public override (ExportPeriod? Period, IResult? Problem) Period(string? from, string? to) => ExportPeriod.Dates(Kind, from, to);

    protected override async IAsyncEnumerable<Row> Read(CsvExportRequest request, [EnumeratorCancellation] CancellationToken cancellation)
    {
        var scope = request.Scope;
        var chart = request.Services.GetRequiredService<IOptions<ChartOfAccounts>>().Value;
        var events = await ReportBuilder.EventsAsOf(request.Session, scope.AsOf, cancellation);
        var entries = Journal.Entries(events.Select(e => new RecordedEvent(e.Sequence, NodaTime.Instant.FromDateTimeOffset(e.Timestamp), e.StreamId,
            e.Data, e.Id)), chart);
        foreach (var entry in entries.Where(e => (scope.Programme is null || e.ProgrammeId == scope.Programme.Id)
                                                && (scope.Grant is null || e.GrantId == scope.Grant.Id) && request.Period.Contains(e.Date)))
        {
            foreach (var line in entry.Lines)
            {
                yield return new Row(entry, line);
            }
        }
    }
}
