using JasperFx.Events.Projections;
using Marten;

namespace GrantLedger.Api.Programmes;

public static class ProgrammesRegistration
{
    /// <summary>The programme snapshot, kept inline, and the code index that makes a programme code unique.</summary>
    public static StoreOptions AddProgrammes(this StoreOptions opts)
    {
        // Write models double as inline read models: a GET right after a POST sees the change, and writes load a
        // snapshot instead of replaying the stream.
        opts.Projections.Add<ProgrammeProjection>(ProjectionLifecycle.Inline);
        opts.Schema.For<ProgrammeCode>().Identity(c => c.Code);
        return opts;
    }
}
