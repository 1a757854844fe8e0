using Marten;

namespace GrantLedger.Api.Http;

/// <summary>Who is acting and under which correlation id; stamped on every event the request appends.</summary>
/// <remarks>Until sign-in exists (issue 3/8) the actor comes from the <c>X-Actor</c> header, default <c>system</c>.</remarks>
public sealed record RequestMetadata(string Actor, string CorrelationId)
{
    public const string ActorHeader = "X-Actor";
    public const string CorrelationHeader = "X-Correlation-Id";
    private const int MaxLength = 200;

    public static RequestMetadata From(HttpContext? context)
    {
        if (context is null)
        {
            return new RequestMetadata("system", Guid.NewGuid().ToString("N"));
        }

        var actor = context.Request.Headers[ActorHeader].ToString().Trim();
        return new RequestMetadata(
            string.IsNullOrEmpty(actor) ? "system" : actor[..Math.Min(actor.Length, MaxLength)],
            CorrelationIdOf(context));
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
    public const string ReasonHeader = "reason";

    /// <summary>Records who did it and why on every event this session appends.</summary>
    public static IDocumentSession RecordedBy(this IDocumentSession session, RequestMetadata request, string? reason)
    {
        session.CorrelationId = request.CorrelationId;
        session.LastModifiedBy = request.Actor;
        session.SetHeader(ActorHeader, request.Actor);
        if (!string.IsNullOrWhiteSpace(reason))
        {
            session.SetHeader(ReasonHeader, reason);
        }

        return session;
    }
}
