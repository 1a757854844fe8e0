using GrantLedger.Api.Audit;
using GrantLedger.Api.Identity;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Npgsql;

namespace GrantLedger.Api.Pages.Audit;

/// <summary>
/// The audit trail and the chain's status. A view checks only what the newest signed checkpoint does not cover
/// (<see cref="ChainVerifier.VerifyTailAsync"/>) and shows this node's last whole-chain verification with its time;
/// recomputing the whole chain is a button (the same <see cref="ChainVerifier.VerifyAsync"/> as GET /api/audit/verification).
/// </summary>
[Authorize(Policy = Policies.Audit)]
public sealed class AuditIndexModel(NpgsqlDataSource dataSource, IDocumentStore store, ChainVerifier verifier, LastChainVerification last) : PageModel
{
    public AuditPage Trail { get; private set; } = new([], 1, 50, 0);
    public TailVerification Tail { get; private set; } = null!;
    public LastChainVerification.Entry? Full { get; private set; }
    public string? From { get; private set; }
    public string? To { get; private set; }
    public string? Actor { get; private set; }

    /// <param name="page">From the query string: a route value named "page" (the Razor page's own name) would win otherwise.</param>
    public async Task OnGetAsync(string? from, string? to, string? actor, [FromQuery(Name = "page")] int? page)
    {
        (From, To, Actor) = (from, to, actor);
        if (await AuditTrailEndpoint.Get(from, to, null, null, string.IsNullOrWhiteSpace(actor) ? null : actor, page, 50, dataSource, store,
                HttpContext.RequestAborted) is Ok<AuditPage> ok)
        {
            Trail = ok.Value!;
        }

        Tail = await verifier.VerifyTailAsync(HttpContext.RequestAborted);
        Full = last.Last;
    }

    /// <summary>Recomputes the whole chain from the genesis and checks every checkpoint; then shows the page again.</summary>
    public async Task<IActionResult> OnPostVerifyAsync(string? from, string? to, string? actor, int? page)
    {
        await verifier.VerifyAsync(HttpContext.RequestAborted);
        // Back to the same filters ("page" cannot be a route value here: it names the Razor page).
        var query = new Dictionary<string, string?> { ["from"] = from, ["to"] = to, ["actor"] = actor, ["page"] = page?.ToString(System.Globalization.CultureInfo.InvariantCulture) }
            .Where(kv => !string.IsNullOrWhiteSpace(kv.Value));
        return LocalRedirect(Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString("/audit", query));
    }
}
