using GrantLedger.Api.Audit;
using GrantLedger.Api.Identity;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Npgsql;

namespace GrantLedger.Api.Pages.Audit;

/// <summary>The audit trail and the chain's verification, through the same endpoint methods the API serves.</summary>
[Authorize(Policy = Policies.Audit)]
public sealed class AuditIndexModel(NpgsqlDataSource dataSource, IDocumentStore store, ChainVerifier verifier) : PageModel
{
    public AuditPage Trail { get; private set; } = new([], 1, 50, 0);
    public ChainVerification Chain { get; private set; } = null!;
    public string? From { get; private set; }
    public string? To { get; private set; }
    public string? Actor { get; private set; }

    public async Task OnGetAsync(string? from, string? to, string? actor, int? page)
    {
        (From, To, Actor) = (from, to, actor);
        if (await AuditTrailEndpoint.Get(from, to, null, null, string.IsNullOrWhiteSpace(actor) ? null : actor, page, 50, dataSource, store,
                HttpContext.RequestAborted) is Ok<AuditPage> ok)
        {
            Trail = ok.Value!;
        }

        Chain = await verifier.VerifyAsync(HttpContext.RequestAborted);
    }
}
