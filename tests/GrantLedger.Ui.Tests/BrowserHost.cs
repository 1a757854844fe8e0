using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Npgsql;

namespace GrantLedger.Ui.Tests;

/// <summary>
/// Starts the real application (the built GrantLedger.Api) on a free local port with a fresh schema and the demo
/// seeded, and a headless Chromium from Debian's package (Playwright cannot download browsers here).
/// </summary>
public sealed class BrowserHost : IAsyncLifetime
{
    public const string Password = "snowleopard";
    private const string Schema = "grantledger_ui";
    private Process? _app;
    private IPlaywright? _playwright;

    /// <summary>The app's last lines of output, for the message when it does not come up.</summary>
    private readonly ConcurrentQueue<string> _appOutput = new();

    public string BaseUrl { get; private set; } = "";
    public IBrowser Browser { get; private set; } = null!;

    /// <summary>A real SMTP server in the test process; the app sends every e-mail of the run to it.</summary>
    public GrantLedger.Api.Tests.MailInbox Mail { get; } = new();

    public async Task InitializeAsync()
    {
        // As in production: the schema owner applies the schema (db-apply), the app connects as the runtime role.
        var connection = Environment.GetEnvironmentVariable("ConnectionStrings__GrantLedger")
            ?? "Host=127.0.0.1;Port=5433;Database=grantledger_test;Username=grantledger_app;Password=grantledger_app";
        var owner = Environment.GetEnvironmentVariable("GRANTLEDGER_OWNER_CONNECTION")
            ?? new NpgsqlConnectionStringBuilder(connection) { Username = "grantledger", Password = "grantledger" }.ConnectionString;
        await DropSchema(connection);
        var keys = Path.Combine(Path.GetTempPath(), $"grantledger-ui-{Environment.ProcessId}");

        var port = GrantLedger.Api.Tests.MailInbox.FreePort();
        BaseUrl = $"http://127.0.0.1:{port}";
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";
        var appDirectory = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "src", "GrantLedger.Api", "bin", configuration, "net10.0"));
        await ApplySchema(appDirectory, owner, keys);
        var start = new ProcessStartInfo("dotnet", Path.Combine(appDirectory, "GrantLedger.Api.dll"))
        {
            WorkingDirectory = appDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Testing";
        start.Environment["ASPNETCORE_URLS"] = BaseUrl;
        start.Environment["ConnectionStrings__GrantLedger"] = connection;
        start.Environment["GrantLedger__SchemaName"] = Schema;
        start.Environment["GrantLedger__Demo__Seed"] = "true";
        start.Environment["GRANTLEDGER_DEMO_PASSWORD"] = Password;
        start.Environment["GrantLedger__Auth__RevalidateSeconds"] = "0";
        foreach (var kind in new[] { "SignIn", "Reports", "Verification", "Imports" })
        {
            start.Environment[$"GrantLedger__RateLimits__{kind}__PerUser"] = "100000";
            start.Environment[$"GrantLedger__RateLimits__{kind}__PerAddress"] = "100000";
        }
        start.Environment["GrantLedger__Scheduling__PollingMilliseconds"] = "500";
        await Mail.StartAsync();
        start.Environment["GrantLedger__Mail__Enabled"] = "true";
        start.Environment["GrantLedger__Mail__Host"] = "127.0.0.1";
        start.Environment["GrantLedger__Mail__Port"] = Mail.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["GrantLedger__Mail__Security"] = "None";
        start.Environment["GrantLedger__Mail__From"] = "GrantLedger <no-reply@grantledger.test>";
        start.Environment["GrantLedger__Mail__PublicBaseUrl"] = BaseUrl;
        start.Environment["GrantLedger__Audit__SigningKeyPath"] = Path.Combine(keys, "audit-signing-key.pem");
        _app = Process.Start(start) ?? throw new InvalidOperationException("The app did not start.");
        _app.OutputDataReceived += (_, e) => Keep(e.Data);
        _app.ErrorDataReceived += (_, e) => Keep(e.Data);
        _app.BeginOutputReadLine();
        _app.BeginErrorReadLine();
        await WaitForHealth();

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Environment.GetEnvironmentVariable("GRANTLEDGER_CHROMIUM") ?? "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync"],
        });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        _playwright?.Dispose();
        if (_app is { HasExited: false })
        {
            _app.Kill(entireProcessTree: true);
            await _app.WaitForExitAsync();
        }

        await Mail.DisposeAsync();
    }

    /// <summary>A fresh browser context signed in as the user (viewport width in CSS pixels); <paramref name="prepare"/>
    /// readies the context before sign-in (e.g. the language it asks for, <see cref="PageCrawl.PrepareFor"/>).</summary>
    public async Task<IPage> SignedIn(string email, int width = 1280, Func<IBrowserContext, Task>? prepare = null)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = BaseUrl, ViewportSize = new() { Width = width, Height = 900 } });
        if (prepare is not null)
        {
            await prepare(context);
        }

        var page = await context.NewPageAsync();
        await page.GotoAsync("/signin");
        // By id: the sign-in page speaks the browser's language (a Russian cookie gives Russian labels).
        await page.Locator("#email").FillAsync(email);
        await page.Locator("#password").FillAsync(Password);
        await page.Locator("main button[type=submit]").ClickAsync();
        try
        {
            await page.WaitForURLAsync(url => !url.Contains("/signin"));
        }
        catch (TimeoutException e)
        {
            // Say why the sign-in page kept us (locked out, throttled, a wrong password) instead of only that it did.
            var said = await page.Locator("main").InnerTextAsync(new() { Timeout = 5_000 });
            throw new TimeoutException($"Signing in as {email} stayed on {page.Url}; the page says: {said}", e);
        }

        return page;
    }

    private readonly ConcurrentDictionary<string, Lazy<Task<string>>> _twins = new();

    /// <summary>
    /// Signs in as <paramref name="email"/> reading the pages in <paramref name="language"/>. The profile language comes
    /// first, so for another language than English this is a twin of the user (same roles and organisation, that
    /// profile language, made once per run through the API): the demo users keep their seeded language for the other tests.
    /// </summary>
    public async Task<IPage> SignedInSpeaking(string language, string email, int width = 1280) =>
        await SignedIn(language == "en" ? email : await _twins.GetOrAdd($"{language}/{email}", _ => new(() => Twin(language, email))).Value, width,
            PageCrawl.PrepareFor(language, BaseUrl));

    private async Task<string> Twin(string language, string email)
    {
        using var admin = await Api("admin@ecaro.example");
        var users = await Send(admin, HttpMethod.Get, "/api/users", null);
        var user = users.AsArray().Single(u => string.Equals(u!["email"]!.GetValue<string>(), email, StringComparison.OrdinalIgnoreCase))!;
        var twin = $"{language}.{email}";
        await Send(admin, HttpMethod.Post, "/api/users", new
        {
            email = twin, displayName = $"{user["displayName"]} ({language})", password = Password,
            roles = user["roles"]!.AsArray().Select(r => r!.GetValue<string>()).ToArray(), granteeOrganisationId = user["granteeOrganisationId"]?.GetValue<string>(),
        });
        using var client = await Api(twin);
        await Send(client, HttpMethod.Put, "/api/me/language", new { language });
        return twin;
    }

    private readonly ConcurrentDictionary<string, Lazy<Task<Guid>>> _organisations = new();

    /// <summary>
    /// The organisation with this short name (the demo's, when it is one), else registered once per run through the API with
    /// an approved bank account (the demo finance officer proposes, the demo approver approves), so its grants can be paid.
    /// </summary>
    public Task<Guid> Organisation(string name) => _organisations.GetOrAdd(name, _ => new(() => RegisterOrganisation(name))).Value;

    private async Task<Guid> RegisterOrganisation(string name)
    {
        using var finance = await Api("finance@ecaro.example");
        var existing = (await Send(finance, HttpMethod.Get, "/api/organisations", null)).AsArray()
            .Where(o => o!["shortName"]!.GetValue<string>() == name).ToList();
        if (existing.Count == 1)
        {
            return Guid.Parse(existing[0]!["id"]!.GetValue<string>());
        }

        var id = Guid.Parse((await Send(finance, HttpMethod.Post, "/api/organisations", new { legalName = name + " Public Foundation", shortName = name, countries = new[] { "KG" } }))["id"]!.GetValue<string>());
        var account = (await Send(finance, HttpMethod.Post, $"/api/organisations/{id}/bank-accounts", new
        {
            holder = name, accountNumber = "1280016012345678", bankName = "Kyrgyz Investment and Credit Bank", bankCountry = "KG", currency = "EUR",
            swift = "KICBKG22", reason = "account in the grant agreement",
        }))["accountId"]!.GetValue<string>();
        using var approver = await Api("approver@ecaro.example");
        await Send(approver, HttpMethod.Post, $"/api/organisations/{id}/bank-accounts/{account}/approve", new { });
        return id;
    }

    /// <summary>An API client signed in as <paramref name="email"/> with a bearer token, for setting up what a test is not about.</summary>
    public async Task<HttpClient> Api(string email)
    {
        var client = new HttpClient { BaseAddress = new Uri(BaseUrl) };
        using var reply = await client.PostAsJsonAsync("/api/auth/token", new { email, password = Password });
        var token = (await reply.Content.ReadFromJsonAsync<JsonNode>())!["accessToken"]!.GetValue<string>();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>Sends a JSON request (no body when <paramref name="body"/> is null) and answers the JSON reply; fails the test on an error status.</summary>
    public static async Task<JsonNode> Send(HttpClient client, HttpMethod method, string url, object? body)
    {
        using var request = new HttpRequestMessage(method, url) { Content = body is null ? null : JsonContent.Create(body) };
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{method} {url}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!;
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        _appOutput.Enqueue(line);
        while (_appOutput.Count > 200 && _appOutput.TryDequeue(out _))
        {
        }
    }

    private string LastOutput() => string.Join("\n", _appOutput.TakeLast(40));

    /// <summary>Polls /health for at most 90 s (each request at most 5 s), and fails with the app's last output.</summary>
    private async Task WaitForHealth()
    {
        var limit = TimeSpan.FromSeconds(90);
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var watch = Stopwatch.StartNew();
        var last = "no answer yet";
        while (watch.Elapsed < limit)
        {
            if (_app!.HasExited)
            {
                throw new InvalidOperationException($"The app exited with code {_app.ExitCode} before it was healthy. Its last output:\n{LastOutput()}");
            }

            try
            {
                using var response = await client.GetAsync($"{BaseUrl}/health");
                if (response.IsSuccessStatusCode)
                {
                    return;
                }

                last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
            }
            catch (HttpRequestException e)
            {
                last = e.Message;
            }
            catch (TaskCanceledException)
            {
                last = $"no answer within {client.Timeout.TotalSeconds} s";
            }

            await Task.Delay(250);
        }

        throw new TimeoutException(
            $"The app at {BaseUrl} was not healthy within {limit.TotalSeconds} s (last answer: {last}). Its last output:\n{LastOutput()}");
    }

    /// <summary>Runs <c>GrantLedger.Api.dll db-apply</c> as the schema owner and fails with its output if it fails or hangs.</summary>
    private static async Task ApplySchema(string appDirectory, string ownerConnection, string keys)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(appDirectory, "GrantLedger.Api.dll"), "db-apply"])
        {
            WorkingDirectory = appDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Testing";
        start.Environment["ConnectionStrings__GrantLedger"] = ownerConnection;
        start.Environment["GrantLedger__SchemaName"] = Schema;
        start.Environment["GrantLedger__Audit__SigningKeyPath"] = Path.Combine(keys, "audit-signing-key.pem");
        using var process = Process.Start(start) ?? throw new InvalidOperationException("db-apply did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"db-apply did not finish within 2 minutes: {await output} {await error}");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"db-apply failed ({process.ExitCode}): {await output} {await error}");
        }
    }

    private static async Task DropSchema(string connection)
    {
        var admin = Environment.GetEnvironmentVariable("GRANTLEDGER_TEST_ADMIN_CONNECTION")
            ?? new NpgsqlConnectionStringBuilder(connection) { Username = "postgres", Password = "grantledger" }.ConnectionString;
        await using var conn = new NpgsqlConnection(admin);
        await conn.OpenAsync();
        await using var command = new NpgsqlCommand($"drop schema if exists {Schema} cascade", conn);
        await command.ExecuteNonQueryAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserHost>
{
    public const string Name = "browser";
}
