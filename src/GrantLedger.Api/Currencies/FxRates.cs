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
using Wolverine;
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
    public static async Task<IReadOnlyList<FxRateView>> Get(IQuerySession session) => Views(await Load(session));

    public static IReadOnlyList<FxRateView> Views(FxRateTable table) =>
        table.Rates
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
    public static async Task<IResult> Put(HttpContext context, IMessageBus bus)
    {
        var (rates, problem) = await Read(context);
        return problem ?? await bus.Send(new SetFxRatesCommand(rates!, RequestMetadata.From(context)), outcome => outcome.ToOk(), context.RequestAborted);
    }

    /// <summary>The rates in the request body, JSON or CSV, or the problem with the body.</summary>
    private static async Task<(IReadOnlyList<SetFxRate>? Rates, IResult? Problem)> Read(HttpContext context)
    {
        if (context.Request.ContentType?.StartsWith("text/csv", StringComparison.OrdinalIgnoreCase) == true)
        {
            return await ReadCsv(context.Request.Body, context.RequestAborted);
        }

        if (context.Request.HasJsonContentType())
        {
            var request = await context.Request.ReadFromJsonAsync<FxRatesRequest>(context.RequestServices
                .GetRequiredService<Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions, context.RequestAborted);
            if (request?.Rates is null)
            {
                return (null, Problems.BadRequest("malformed-request", "Send {rates:[{currency, month, unitsPerEur}]} or a text/csv file."));
            }

            return Bounded(request.Rates.Select(r => r is null ? null : Entered(r.Currency, r.Month, r.UnitsPerEur, r.Source)).ToList());
        }

        return (null, Problems.Create(StatusCodes.Status415UnsupportedMediaType, "unsupported-media-type", "Send JSON or CSV",
            "Rates come as application/json {rates:[…]} or as a text/csv file."));
    }

    /// <summary>A rate as finance typed it.</summary>
    public static SetFxRate Entered(string? currency, YearMonth month, decimal unitsPerEur, string? source = null) =>
        new(currency?.ToUpperInvariant() ?? "", month, unitsPerEur, source ?? "entered by finance");

    /// <summary>The rates in a CSV file (currency, month, unitsPerEur[, source]), or the problem naming every bad row.</summary>
    public static async Task<(IReadOnlyList<SetFxRate>? Rates, IResult? Problem)> ReadCsv(Stream csv, CancellationToken cancellation)
    {
        var (rows, errors) = await CsvImport.Read(csv, ["currency", "month", "unitsPerEur"], cancellation);
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

        return errors.Count > 0
            ? (null, Problems.From(new DomainError("invalid-fx-rates", "The file has errors; no rate was saved.", Rows: errors)))
            : Bounded(parsed);
    }

    /// <summary>The rates within <see cref="InputLimits"/> (how many, how long a source), or the 400 naming each one beyond.</summary>
    private static (IReadOnlyList<SetFxRate>? Rates, IResult? Problem) Bounded(IReadOnlyList<SetFxRate?> rates)
    {
        var check = new RequestCheck().Each("rates", rates, InputLimits.Rates, (c, field, rate) => c
            .MaxLength($"{field}.currency", rate.Currency, InputLimits.CurrencyCode)
            .MaxLength($"{field}.source", rate.Source, InputLimits.Source));
        return check.HasErrors ? (null, Results.Problem(check.Result())) : (rates.OfType<SetFxRate>().ToList(), null);
    }
}

/// <summary>Finance enters or corrects donor rates, all or nothing.</summary>
public sealed record SetFxRatesCommand(IReadOnlyList<SetFxRate> Rates, RequestMetadata Metadata) : ILedgerCommand
{
    public string Reason => $"{Rates.Count} FX rate(s)";
}

public static class SetFxRatesHandler
{
    /// <summary>Appends the rates to the one rate-table stream and answers with the table as they leave it.</summary>
    public static async Task<CommandOutcome> Handle(SetFxRatesCommand command, IDocumentSession session, CancellationToken cancellation)
    {
        var decision = SetFxRatesDecision.Decide(command.Rates);
        if (!decision.IsSuccess)
        {
            return CommandOutcome.Refused(decision.Error!);
        }

        var events = decision.Value.Cast<object>().ToArray();
        session.Events.Append(FxRateTable.StreamId, events);
        var table = events.Aggregate(await session.LoadAsync<FxRateTable>(FxRateTable.StreamId, cancellation) ?? FxRateTable.Empty,
            (rates, e) => rates.Evolve(e));
        return new CommandOutcome(null, table.Version, FxRateEndpoints.Views(table));
    }
}
