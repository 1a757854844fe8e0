using System.Globalization;
using System.Security.Claims;
using GrantLedger.Api.Grants;
using GrantLedger.Api.Http;
using GrantLedger.Api.Identity;
using GrantLedger.Domain.Grants;
using GrantLedger.Domain.Programmes;
using Marten;
using NodaTime;
using NodaTime.Text;

namespace GrantLedger.Api.Exports;

/// <summary>
/// What an export covers, checked before a byte is written (a streamed body cannot turn into a problem later): the
/// as-of instant (default now, never in the future), the programme or grant (404 when unknown or, for a grantee,
/// not its own) and, for grantees, that the export is about their own grant (403 otherwise, as for reports).
/// </summary>
public sealed record ExportScope(Instant AsOf, Programme? Programme, Grant? Grant)
{
    public static readonly InstantPattern FileInstant = InstantPattern.Create("uuuuMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);

    /// <summary>The scope, or the problem to answer instead.</summary>
    public static async Task<(ExportScope? Scope, IResult? Problem)> Resolve(string? asOf, string? programme, string? grant, bool granteesMayAsk,
        IQuerySession session, IClock clock, ClaimsPrincipal principal)
    {
        // Taken as text: a malformed id must be a 400, not quietly no filter at all.
        if (!TryId(programme, out var programmeId) || !TryId(grant, out var grantId))
        {
            return (null, Problems.BadRequest("malformed-request", "programmeId and grantId must be ids such as 5a83f8c3-204d-42b4-0e08-51609e37565e."));
        }

        var now = clock.GetCurrentInstant();
        var parsed = asOf is null ? null : InstantPattern.ExtendedIso.Parse(asOf);
        if (parsed is { Success: false })
        {
            return (null, Problems.BadRequest("malformed-request", "asOf must be an ISO instant such as 2021-01-31T18:00:00Z."));
        }

        var instant = parsed?.Value ?? now;
        if (instant > now)
        {
            return (null, Problems.From(new("as-of-in-future", "An export shows what was recorded: its as-of instant cannot be in the future.")));
        }

        var user = CurrentUser.From(principal);
        Grant? visible = null;
        if (grantId is { } g)
        {
            if (user.IsGrantee && !granteesMayAsk)
            {
                // The same answer for any grant, theirs or not: it tells nothing about other grantees' grants.
                return (null, Problems.Create(StatusCodes.Status403Forbidden, "forbidden", "Not available to grantees",
                    "This export is the funder's own books (or programme-wide): grantees export their grant's ledger entries, expenditure and budget."));
            }

            visible = await GrantDetailsEndpoints.Visible(session, g, principal);
            if (visible is null || (programmeId is { } p && visible.ProgrammeId != p))
            {
                return (null, Problems.NotFound("grant", g));
            }
        }
        else if (user.IsGrantee)
        {
            return (null, NotForGrantees());
        }

        Programme? loaded = null;
        if ((programmeId ?? visible?.ProgrammeId) is { } programmeToLoad && (loaded = await session.LoadAsync<Programme>(programmeToLoad)) is null)
        {
            return (null, Problems.NotFound("programme", programmeToLoad));
        }

        return (new ExportScope(instant, loaded, visible), null);
    }

    private static bool TryId(string? text, out Guid? id)
    {
        id = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }

        var ok = Guid.TryParse(text, out var parsed);
        id = ok ? parsed : null;
        return ok;
    }

    private static IResult NotForGrantees() =>
        Problems.Create(StatusCodes.Status403Forbidden, "forbidden", "Not available to grantees",
            "Grantees can export their own grant's figures only: name it with grantId.");

    /// <summary>e.g. <c>ledger-entries-SOS-CA-1-as-of-20261125T090000Z.csv</c>.</summary>
    public string FileName(string kind, string extension)
    {
        var scope = Grant is not null ? $"-grant-{Grant.Id.ToString("N")[..8]}" : Programme is not null ? $"-{Safe(Programme.Code)}" : "";
        return $"{kind}{scope}-as-of-{FileInstant.Format(AsOf)}.{extension}";
    }

    private static string Safe(string text) => new(text.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '-').ToArray());
}
