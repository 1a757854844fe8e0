using JasperFx.Events;
using Marten;

namespace GrantLedger.Api.Http;

/// <summary>The stream version after a write, for the next <c>expectedVersion</c>.</summary>
public sealed record VersionResponse(long Version);

/// <summary>
/// A stream loaded for a write, or the problem that stops the write: for the commands that write two streams (award,
/// amendment approval). Single-stream commands go through Wolverine's aggregate workflow instead (ADR 0010).
/// </summary>
public sealed record StreamForWriting<T>(IEventStream<T>? Loaded, IResult? Problem) where T : class
{
    public IEventStream<T> Stream => Loaded ?? throw new InvalidOperationException("No stream: check Problem first.");
    public T Aggregate => Stream.Aggregate ?? throw new InvalidOperationException("No aggregate: check Problem first.");
    public long NextVersion(int appended = 1) => (Stream.StartingVersion ?? 0) + appended;
}

public static class StreamLoading
{
    /// <summary>
    /// Loads a stream for appending. Unknown id: 404. A stale <paramref name="expectedVersion"/> (the version the user
    /// saw): 409. Either way the append is still checked against the version read, so a race lost between this read
    /// and the commit is a 409 too (see ProblemMiddleware).
    /// </summary>
    public static async Task<StreamForWriting<T>> ForWriting<T>(this IDocumentSession session, Guid id, long? expectedVersion, string what)
        where T : class
    {
        // The empty id names no stream (Marten refuses it outright): as unknown as any other.
        if (id == Guid.Empty)
        {
            return new(null, Problems.NotFound(what, id));
        }

        return Checked(await session.Events.FetchForWriting<T>(id), id, expectedVersion, what);
    }

    /// <summary>
    /// The checks of <see cref="ForWriting{T}"/> on a stream fetched in a batch with other reads (one round trip); the
    /// caller has already refused <see cref="Guid.Empty"/>.
    /// </summary>
    public static StreamForWriting<T> Checked<T>(IEventStream<T> stream, Guid id, long? expectedVersion, string what) where T : class
    {
        if (stream.Aggregate is null)
        {
            return new(stream, Problems.NotFound(what, id));
        }

        // The same 409 the one door's commands answer (CommandOutcome.StaleUnless).
        if (CommandOutcome.StaleUnless(expectedVersion, stream.StartingVersion ?? 0, what) is { } stale)
        {
            return new(stream, stale.Problem);
        }

        return new(stream, null);
    }
}
