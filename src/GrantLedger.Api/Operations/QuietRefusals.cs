namespace GrantLedger.Api.Operations;

/// <summary>
/// Refused input is the caller's mistake (or an attacker's probe), not the ledger's: Wolverine HTTP logs a JSON body it
/// cannot read at error level with the serializer's stack trace, which buries real errors under hostile input. This
/// logger factory writes those entries at information, one line, with the serializer's message and no stack trace
/// (docs/operations.md, "Logs"). Every other entry passes unchanged.
/// </summary>
public sealed class QuietRefusals(ILoggerFactory inner) : ILoggerFactory
{
    /// <summary>The message templates of refused-input entries (Wolverine.Http's <c>HttpHandler.ReadJsonAsync</c>).</summary>
    public static readonly string[] RefusedInputTemplates =
    [
        "Error trying to deserialize JSON from incoming HTTP body at {Url} to type {Type}",
        "The request body at {Url} could not be read for {Type}",
    ];

    public static void Register(IServiceCollection services) =>
        services.AddSingleton<ILoggerFactory>(sp => new QuietRefusals(ActivatorUtilities.CreateInstance<LoggerFactory>(sp)));

    public ILogger CreateLogger(string categoryName) => new Logger(inner.CreateLogger(categoryName));

    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    public void Dispose() => inner.Dispose();

    private sealed class Logger(ILogger inner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel) || inner.IsEnabled(LogLevel.Information);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel >= LogLevel.Warning && state is IReadOnlyList<KeyValuePair<string, object?>> values &&
                values.Any(v => v.Key == "{OriginalFormat}" && v.Value is string template && RefusedInputTemplates.Contains(template)))
            {
                if (inner.IsEnabled(LogLevel.Information))
                {
                    inner.Log(LogLevel.Information, eventId, "Refused input: {Detail} ({Error})", formatter(state, null),
                        exception?.Message ?? "unreadable");
                }

                return;
            }

            if (inner.IsEnabled(logLevel))
            {
                inner.Log(logLevel, eventId, state, exception, formatter);
            }
        }
    }
}
