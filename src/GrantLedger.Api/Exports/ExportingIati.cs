using System.Security.Claims;
using System.Text;
using System.Xml;
using GrantLedger.Api.Http;
using GrantLedger.Api.Identity;
using GrantLedger.Api.Reports;
using GrantLedger.Reports.Interchange;
using GrantLedger.Reports.Models;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using NodaTime;
using Wolverine.Http;

namespace GrantLedger.Api.Exports;

/// <summary>A programme and its grants as an IATI 2.03 activity file, from the events recorded up to <c>asOf</c>.</summary>
public static class ExportIatiEndpoint
{
    /// <summary>
    /// The programme as the parent activity (hierarchy 1) and each grant as a child (hierarchy 2); publisher and codes
    /// from <c>GrantLedger:Iati</c>. Built in memory (one programme's activities), not streamed.
    /// </summary>
    [Authorize(Policy = Policies.ReadProgrammes)]
    [WolverineGet("/api/exports/iati.xml")]
    public static async Task<IResult> Get(string? programmeId, string? asOf, IQuerySession session, IClock clock, ClaimsPrincipal principal,
        IOptions<IatiSettings> settings, CancellationToken cancellation)
    {
        if (string.IsNullOrWhiteSpace(programmeId))
        {
            return Problems.BadRequest("malformed-request", "programmeId is required: the file describes one programme and its grants.");
        }

        var (scope, problem) = await ExportScope.Resolve(asOf, programmeId, null, false, session, clock, principal);
        if (problem is not null)
        {
            return problem;
        }

        var events = await ReportBuilder.EventsAsOf(session, scope!.AsOf, cancellation);
        var recorded = events.Select(e => new RecordedEvent(e.Sequence, Instant.FromDateTimeOffset(e.Timestamp), e.StreamId, e.Data)).ToList();
        var programme = scope.Programme!;
        if (!recorded.Any(e => e.StreamId == programme.Id))
        {
            return Problems.From(new("not-yet-recorded", $"Programme {programme.Code} was opened after {asOf}: there is nothing to report as of then."));
        }

        var document = IatiActivities.Build(recorded, programme.Id, scope.AsOf, settings.Value);
        using var buffer = new MemoryStream();
        await using (var writer = XmlWriter.Create(buffer, new XmlWriterSettings { Encoding = new UTF8Encoding(false), Indent = true, Async = true }))
        {
            await document.SaveAsync(writer, cancellation);
        }

        return Results.File(buffer.ToArray(), "application/xml; charset=utf-8", scope.FileName("iati-activities", "xml"));
    }
}
