using GrantLedger.Api.Http;
using GrantLedger.Api.Identity;
using GrantLedger.Domain;
using GrantLedger.Domain.Currencies;
using JasperFx.Events;
using Marten;
using Marten.Events.Aggregation;
using Microsoft.AspNetCore.Authorization;
using NodaTime;
using NodaTime.Text;
using Wolverine.Http;

namespace GrantLedger.Api.Currencies;

/// <summary>Keeps the rate table inline.</summary>
public sealed class FxRateTableProjection : SingleStreamProjection<FxRateTable, Guid>
{
    public FxRateTableProjection() => IncludeType<FxRateSet>();

    public override FxRateTable? Evolve(FxRateTable? snapshot, Guid id, IEvent e) =>
        e.Data is FxRateSet ? (snapshot ?? FxRateTable.Empty).Evolve(e.Data) with { Version = e.Version } : snapshot;
}

public sealed record FxRateLine(string Currency, YearMonth Month, decimal UnitsPerEur, string? Source = null);

public sealed record FxRatesRequest(IReadOnlyList<FxRateLine> Rates);

public sealed record FxRateView(string Currency, YearMonth Month, decimal UnitsPerEur);

public static class FxRateEndpoints
{
    public static async Task<FxRateTable> Load(IQuerySession session) =>
        await session.LoadAsync<FxRateTable>(FxRateTable.StreamId) ?? FxRateTable.Empty;

    /// <summary>The donor rates: units of each currency per 1 EUR, per month.</summary>
    [Authorize(Policy = Policies.ReadGrants)]
    [WolverineGet("/api/fx-rates")]
    public static async Task<IReadOnlyList<FxRateView>> Get(IQuerySession session) =>
        (await Load(session)).Rates
            .Select(r => (Key: r.Key.Split(':'), Rate: r.Value))
            .Select(r => new FxRateView(r.Key[0], YearMonthPattern.Iso.Parse(r.Key[1]).Value, r.Rate))
            .OrderBy(r => r.Currency).ThenBy(r => r.Month)
            .ToList();

    /// <summary>
    /// Enters or corrects rates: JSON <c>{rates:[{currency, month, unitsPerEur, source?}]}</c>, or a CSV file
    /// (<c>text/csv</c>) with columns currency, month (yyyy-MM), unitsPerEur[, source]. All or nothing.
    /// </summary>
    [Authorize(Policy = Policies.Finance)]
    [WolverinePut("/api/fx-rates")]
    public static async Task<IResult> Put(HttpContext context, IDocumentSession session)
    {
        IReadOnlyList<SetFxRate> rates;
        if (context.Request.ContentType?.StartsWith("text/csv", StringComparison.OrdinalIgnoreCase) == true)
        {
            var (rows, errors) = await CsvImport.Read(context.Request.Body, ["currency", "month", "unitsPerEur"], context.RequestAborted);
            var parsed = new List<SetFxRate>();
            foreach (var row in rows)
            {
                var month = CsvImport.Parsed(row, "month", YearMonthPattern.Iso, "2020-04", errors);
                var rate = CsvImport.Decimal(row, "unitspereur", errors);
                if (month is { } m && rate is { } r)
                {
                    parsed.Add(new SetFxRate(row.Cell("currency")?.ToUpperInvariant() ?? "", m, r, row.Cell("source") ?? "CSV import"));
                }
            }

            if (errors.Count > 0)
            {
                return Problems.From(new DomainError("invalid-fx-rates", "The file has errors; no rate was saved.", Rows: errors));
            }

            rates = parsed;
        }
        else if (context.Request.HasJsonContentType())
        {
            var request = await context.Request.ReadFromJsonAsync<FxRatesRequest>(context.RequestServices
                .GetRequiredService<Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions, context.RequestAborted);
            if (request?.Rates is null)
            {
                return Problems.BadRequest("malformed-request", "Send {rates:[{currency, month, unitsPerEur}]} or a text/csv file.");
            }

            rates = request.Rates.Select(r => new SetFxRate(r.Currency?.ToUpperInvariant() ?? "", r.Month, r.UnitsPerEur, r.Source ?? "entered by finance")).ToList();
        }
        else
        {
            return Problems.Create(StatusCodes.Status415UnsupportedMediaType, "unsupported-media-type", "Send JSON or CSV",
                "Rates come as application/json {rates:[…]} or as a text/csv file.");
        }

        var decision = SetFxRatesDecision.Decide(rates);
        if (!decision.IsSuccess)
        {
            return Problems.From(decision.Error!);
        }

        session.RecordedBy(RequestMetadata.From(context), $"{decision.Value.Count} FX rate(s)");
        session.Events.Append(FxRateTable.StreamId, decision.Value.Cast<object>().ToArray());
        await session.SaveChangesAsync();
        return Results.Ok(await Get(session));
    }
}
