using Marten;
using Marten.Events;

namespace GrantLedger.Api.Configuration;

/// <summary>
/// What our own SQL calls Marten's tables, event types and JSON members, taken from Marten's configuration and the
/// serializer's naming instead of written as literals: a renamed property or a moved schema then breaks compilation
/// or a test, not a query in production.
/// </summary>
public static class MartenNames
{
    /// <summary>The schema-qualified table of a document type, e.g. <c>grantledger.mt_doc_grant</c>.</summary>
    public static string DocumentTable<T>(this IDocumentStore store) => store.Options.Schema.For<T>(true);

    /// <summary>The schema-qualified events table, e.g. <c>grantledger.mt_events</c>.</summary>
    public static string EventsTable(this IDocumentStore store) => store.Options.Schema.ForEvents(true);

    /// <summary>What the events table's <c>type</c> column holds for an event type, e.g. <c>report_generated</c>.</summary>
    public static string EventTypeName<T>(this IDocumentStore store) =>
        ((EventGraph)store.Options.Events).EventMappingFor(typeof(T)).EventTypeName;

    /// <summary>The JSON member a property is stored under in documents and events (<c>Grantee</c> → <c>grantee</c>).</summary>
    public static string Member(string propertyName) => JsonConfiguration.MemberNaming.ConvertName(propertyName);
}
