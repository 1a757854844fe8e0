using System.Text.Json;
using System.Text.Json.Serialization;
using NodaTime;
using NodaTime.Serialization.SystemTextJson;

namespace GrantLedger.Api.Configuration;

public static class JsonConfiguration
{
    /// <summary>How a C# property is named in JSON, in the API and in Marten's stored documents and events alike.</summary>
    public static readonly JsonNamingPolicy MemberNaming = JsonNamingPolicy.CamelCase;

    /// <summary>
    /// One JSON dialect for the HTTP API and for Marten's documents and events: camelCase, NodaTime values as
    /// ISO strings (without the converters NodaTime values serialize as empty objects and dates are lost).
    /// </summary>
    public static JsonSerializerOptions ConfigureGrantLedger(this JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = MemberNaming;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower));
        options.ConfigureForNodaTime(DateTimeZoneProviders.Tzdb);
        return options;
    }

    public static WebApplicationBuilder AddGrantLedgerJson(this WebApplicationBuilder builder)
    {
        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.ConfigureGrantLedger();
            // Requests: a missing non-nullable member or a null where none is allowed is malformed (400), not a 500.
            o.SerializerOptions.RespectNullableAnnotations = true;
            o.SerializerOptions.RespectRequiredConstructorParameters = true;
            o.SerializerOptions.NumberHandling = JsonNumberHandling.Strict;
        });
        return builder;
    }
}
