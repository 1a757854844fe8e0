using GrantLedger.Api.Identity;
using Marten;

namespace GrantLedger.Api.Http;

/// <summary>Who is acting, in which role, under which correlation id; stamped on every event the request appends.</summary>
/// <param name="Grantee">For a grantee user, the id of the organisation whose grants alone it may act on (<see cref="Guid.Empty"/>
/// for a grantee user bound to none: it may act on nothing).</param>
public sealed record RequestMetadata(string Actor, string CorrelationId, string UserId = "system", string Role = "system", Guid? Grantee = null)
{
    public const string CorrelationHeader = "X-Correlation-Id";
    private const int MaxLength = 200;

    /// <summary>The actor always comes from the authenticated user, never from anything the client asserts.</summary>
    public static RequestMetadata From(HttpContext context)
    {
        var user = CurrentUser.From(context.User);
        return new RequestMetadata(user.Email, CorrelationIdOf(context), user.Id, string.Join(",", user.Roles), user.IsGrantee ? user.OrganisationId ?? Guid.Empty : null);
    }

    /// <summary>The caller's correlation id when it sent a usable one, else one made for this request; echoed back.</summary>
    public static string CorrelationIdOf(HttpContext context)
    {
        if (context.Items[CorrelationHeader] is string known)
        {
            return known;
        }

        var sent = context.Request.Headers[CorrelationHeader].ToString().Trim();
        var id = sent.Length is > 0 and <= MaxLength ? sent : Guid.NewGuid().ToString("N");
        context.Items[CorrelationHeader] = id;
        if (!context.Response.HasStarted)
        {
            context.Response.Headers[CorrelationHeader] = id;
        }

        return id;
    }
}

public static class SessionMetadata
{
    public const string ActorHeader = "actor";
    public const string UserIdHeader = "userId";
    public const string RoleHeader = "role";
    public const string ReasonHeader = "reason";

    /// <summary>Records who did it, in which role, and why on every event this session appends.</summary>
    public static IDocumentSession RecordedBy(this IDocumentSession session, RequestMetadata request, string? reason)
    {
        session.CorrelationId = request.CorrelationId;
        session.LastModifiedBy = request.Actor;
        session.SetHeader(ActorHeader, request.Actor);
        session.SetHeader(UserIdHeader, request.UserId);
        session.SetHeader(RoleHeader, request.Role);
        if (!string.IsNullOrWhiteSpace(reason))
        {
            session.SetHeader(ReasonHeader, reason);
        }

        return session;
    }
}
