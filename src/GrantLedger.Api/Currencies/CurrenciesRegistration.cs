using JasperFx.Events.Projections;
using Marten;

namespace GrantLedger.Api.Currencies;

public static class CurrenciesRegistration
{
    /// <summary>The FX rate table, kept inline: a payment or a review right after a rate change values with it.</summary>
    public static StoreOptions AddCurrencies(this StoreOptions opts)
    {
        opts.Projections.Add<FxRateTableProjection>(ProjectionLifecycle.Inline);
        return opts;
    }
}
