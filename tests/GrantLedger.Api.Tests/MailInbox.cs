using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using MimeKit;
using SmtpServer;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace GrantLedger.Api.Tests;

/// <summary>A message as the SMTP server received it: the envelope's recipients (RCPT TO) and the message itself.</summary>
public sealed record ReceivedMail(IReadOnlyList<string> EnvelopeTo, MimeMessage Message, string Raw)
{
    public string To => Message.To.Mailboxes.Single().Address;
    public string Subject => Message.Subject ?? "";
    public string Text => Message.TextBody ?? "";
    public string Html => Message.HtmlBody ?? "";
    /// <summary>A header of the message, or of its body (where MIME puts <c>Content-*</c> headers).</summary>
    public string? Header(string name) => Message.Headers[name] ?? Message.Body?.Headers[name];

    /// <summary>The message's header block as it travelled (up to the first empty line).</summary>
    public string RawHeaders => Raw[..Raw.IndexOf("\r\n\r\n", StringComparison.Ordinal)];
}

/// <summary>
/// A real SMTP server in the test process (the <c>SmtpServer</c> package) on a free loopback port: the application sends to
/// it with MailKit as it would to any server. It can be stopped and started again on the same port (a server that is down).
/// </summary>
public sealed class MailInbox : IAsyncDisposable
{
    private readonly ConcurrentQueue<ReceivedMail> _received = new();
    private SmtpServer.SmtpServer? _server;
    private CancellationTokenSource? _running;

    public int Port { get; } = FreePort();

    public IReadOnlyList<ReceivedMail> Received => [.. _received];

    public IReadOnlyList<ReceivedMail> For(string email) =>
        [.. _received.Where(m => m.EnvelopeTo.Contains(email, StringComparer.OrdinalIgnoreCase))];

    public async Task StartAsync()
    {
        var options = new SmtpServerOptionsBuilder().ServerName("inbox.test")
            .Endpoint(e => e.Endpoint(new IPEndPoint(IPAddress.Loopback, Port))).Build();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(new Store(_received));
        _running = new CancellationTokenSource();
        _server = new SmtpServer.SmtpServer(options, services);
        _ = _server.StartAsync(_running.Token);
        // Listening once a client can connect.
        await Until(async () =>
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, Port);
                return true;
            }
            catch (SocketException)
            {
                return false;
            }
        }, 10, "the test SMTP server to listen");
    }

    /// <summary>The server goes away: connections are refused until <see cref="StartAsync"/>.</summary>
    public async Task StopAsync()
    {
        if (_server is null)
        {
            return;
        }

        _server.Shutdown();
        await _running!.CancelAsync();
        try
        {
            await _server.ShutdownTask;
        }
        catch (OperationCanceledException)
        {
        }

        _server = null;
    }

    /// <summary>Waits until <paramref name="email"/> has at least <paramref name="count"/> messages that match.</summary>
    public async Task<IReadOnlyList<ReceivedMail>> WaitFor(string email, Func<ReceivedMail, bool> match, int count = 1)
    {
        await Until(() => Task.FromResult(For(email).Count(match) >= count), 30, $"{count} matching message(s) for {email}; received: " +
            string.Join(" | ", Received.Select(m => $"{string.Join(",", m.EnvelopeTo)}: {m.Subject}")));
        return [.. For(email).Where(match)];
    }

    /// <summary>Polls (this file is shared with the browser tests, which have no LedgerHost) until <paramref name="done"/> holds.</summary>
    private static async Task Until(Func<Task<bool>> done, int seconds, string what)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (!await done())
        {
            if (watch.Elapsed > TimeSpan.FromSeconds(seconds))
            {
                throw new TimeoutException($"Waited {seconds} s for {what}.");
            }

            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    /// <summary>A loopback port nobody listens on right now (the browser tests' app takes one too).</summary>
    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private sealed class Store(ConcurrentQueue<ReceivedMail> received) : MessageStore
    {
        public override Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer,
            CancellationToken cancellationToken)
        {
            var bytes = buffer.ToArray();
            using var stream = new MemoryStream(bytes);
            var message = MimeMessage.Load(stream, cancellationToken);
            received.Enqueue(new ReceivedMail([.. transaction.To.Select(t => $"{t.User}@{t.Host}")], message, System.Text.Encoding.UTF8.GetString(bytes)));
            return Task.FromResult(SmtpResponse.Ok);
        }
    }
}
