namespace GrantLedger.Api.Notifications;

/// <summary>How the SMTP connection is protected.</summary>
public enum MailSecurity
{
    /// <summary>Plain SMTP: only for a catcher on this machine (smtp4dev) or a relay on a private network; never with credentials elsewhere.</summary>
    None,

    /// <summary>Connect in plain text and require STARTTLS before anything else (port 587).</summary>
    StartTls,

    /// <summary>TLS from the first byte (port 465).</summary>
    SslOnConnect,
}

/// <summary>E-mail settings, <c>GrantLedger:Mail</c> (docs/operations.md, "E-mail").</summary>
public sealed class MailOptions
{
    public const string Section = "GrantLedger:Mail";

    /// <summary>Off by default: notifications stay in the feed (and the log) until a server is configured.</summary>
    public bool Enabled { get; set; }

    public string Host { get; set; } = "localhost";
    public int Port { get; set; } = 587;
    public string? UserName { get; set; }

    /// <summary>From the environment or a secret store only (<c>GrantLedger__Mail__Password</c>); never in appsettings.json.</summary>
    public string? Password { get; set; }

    public MailSecurity Security { get; set; } = MailSecurity.StartTls;

    /// <summary>The sender, e.g. <c>GrantLedger &lt;no-reply@example.org&gt;</c>.</summary>
    public string From { get; set; } = "GrantLedger <no-reply@grantledger.invalid>";

    /// <summary>Where people open the ledger; the only link a message carries points below it.</summary>
    public string PublicBaseUrl { get; set; } = "http://127.0.0.1:5080";

    /// <summary>How long one connection, command or send may take.</summary>
    public int TimeoutSeconds { get; set; } = 30;

    /// <summary>The waits between attempts while the server cannot be reached (seconds); after the last the message is dead-lettered.</summary>
    /// <remarks>Empty means <see cref="DefaultRetrySeconds"/> (a configured list replaces it, it is not appended to).</remarks>
    public int[]? RetrySeconds { get; set; }

    public const int MaxRetries = 20;

    public static readonly int[] DefaultRetrySeconds = [5, 30, 120, 600, 1800, 3600, 3600, 3600];

    public IReadOnlyList<TimeSpan> Retries =>
        [.. (RetrySeconds is { Length: > 0 } seconds ? seconds : DefaultRetrySeconds).Select(s => TimeSpan.FromSeconds(s))];

    /// <summary>Why these settings cannot work, or null.</summary>
    public string? Problem()
    {
        if (!Enabled)
        {
            return null;
        }

        if (string.IsNullOrWhiteSpace(Host) || Port is < 1 or > 65535)
        {
            return "GrantLedger:Mail:Host and Port must name an SMTP server.";
        }

        if (!MimeKit.MailboxAddress.TryParse(From, out _))
        {
            return "GrantLedger:Mail:From must be an address such as \"GrantLedger <no-reply@example.org>\".";
        }

        if (!Uri.TryCreate(PublicBaseUrl, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
        {
            return "GrantLedger:Mail:PublicBaseUrl must be an absolute http(s) address.";
        }

        if (Security == MailSecurity.None && !string.IsNullOrEmpty(UserName) && !IsLoopback(Host))
        {
            return "GrantLedger:Mail:Security None would send the SMTP password in clear text: use StartTls or SslOnConnect.";
        }

        return RetrySeconds?.Any(s => s < 1) == true || RetrySeconds?.Length > MaxRetries
            ? $"GrantLedger:Mail:RetrySeconds must list at most {MaxRetries} waits of 1 second or more (Wolverine's limit is 25 attempts)."
            : null;
    }

    private static bool IsLoopback(string host) =>
        host == "localhost" || (System.Net.IPAddress.TryParse(host, out var address) && System.Net.IPAddress.IsLoopback(address));
}
