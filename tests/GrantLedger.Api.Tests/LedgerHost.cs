using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Alba;
using JasperFx.CommandLine;
using Marten;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Wolverine;
using GrantLedger.Api.Demo;
using GrantLedger.Api.Identity;
using Microsoft.AspNetCore.Identity;
using Npgsql;
using System.Net.Http.Json;
using NodaTime;
using NodaTime.Testing;
using System.Globalization;
using System.Runtime.CompilerServices;

namespace GrantLedger.Api.Tests;

/// <summary>
/// One application host per test collection, against the real PostgreSQL that scripts/test.sh starts
/// (database grantledger_test; never the demo database). Data is wiped once per host; tests create their own
/// programmes and grants, so they do not depend on each other. Each test starts with the clock at
/// <see cref="StartOfTime"/> (<see cref="FromStartOfTime"/>), and the seeded demo stays as README.md shows it: a test
/// that changes the demo seeds a copy of its own (<see cref="DemoCopy"/>).
/// </summary>
public sealed class LedgerHost : IAsyncLifetime
{
    /// <summary>The runtime role, as the application connects in production (scripts/test.sh exports the same).</summary>
    public const string TestConnectionString =
        "Host=127.0.0.1;Port=5433;Database=grantledger_test;Username=grantledger_app;Password=grantledger_app";

    public static string RuntimeConnectionString => Environment.GetEnvironmentVariable("ConnectionStrings__GrantLedger") ?? TestConnectionString;

    /// <summary>The schema owner, for <c>db-apply</c> (scripts/test.sh exports GRANTLEDGER_OWNER_CONNECTION).</summary>
    public static string OwnerConnectionString =>
        Environment.GetEnvironmentVariable("GRANTLEDGER_OWNER_CONNECTION")
        ?? new NpgsqlConnectionStringBuilder(RuntimeConnectionString) { Username = "grantledger", Password = "grantledger" }.ConnectionString;

    /// <summary>This test run's audit signing key and checkpoint journals, outside the database as in production.</summary>
    public static readonly string KeysDirectory = Path.Combine(Path.GetTempPath(), $"grantledger-tests-{Environment.ProcessId}");

    public static string SigningKeyPath => Path.Combine(KeysDirectory, "audit-signing-key.pem");

    /// <summary>Evidence files above this size are refused in tests (the production default is 20 MB).</summary>
    public const long TestMaxEvidenceBytes = 1024 * 1024;

    /// <summary>Inside the SOS Central Asia window, and where every test starts: tests that need time to pass move it themselves.</summary>
    public static readonly Instant StartOfTime = Instant.FromUtc(2020, 6, 1, 0, 0);

    /// <summary>The instant the demo is seeded at: after all of its deadlines, as on the day run.sh seeds it.</summary>
    public static readonly Instant DemoSeeded = Instant.FromUtc(2026, 11, 25, 9, 0);

    public IAlbaHost Host { get; private set; } = null!;
    public HttpClient Client { get; private set; } = null!;

    /// <summary>The application's clock (for a wrapped host: the clock it was started with, when given).</summary>
    public FakeClock Clock { get; private init; } = new(StartOfTime);
    public IDocumentStore Store => Host.Services.GetRequiredService<IDocumentStore>();

    public async Task InitializeAsync()
    {
        Host = await StartEmpty(Schema, Clock);
        Client = Host.Server.CreateClient();
        await AddStaff();
        await SeedDemo();
    }

    /// <summary>
    /// The SOS Central Asia demo, seeded once per host as run.sh seeds it: on today's date, so its 2020-2021 deadlines
    /// have passed and the deadline checks record what is overdue before the clock goes back to the test epoch.
    /// </summary>
    public async Task SeedDemo()
    {
        Clock.Reset(DemoSeeded);
        await new DemoSeeder(Host.Services.GetRequiredService<IServiceScopeFactory>(),
            Microsoft.Extensions.Options.Options.Create(new DemoOptions { Seed = true, Password = "snowleopard" }),
            Host.Services.GetRequiredService<Microsoft.Extensions.Hosting.IHostEnvironment>(),
            Microsoft.Extensions.Logging.Abstractions.NullLogger<DemoSeeder>.Instance).StartAsync(CancellationToken.None);
        await Eventually(() => Get("/api/milestones?status=overdue"), r => r.Json.AsArray().Count >= 2);
        Clock.Reset(StartOfTime);
    }

    public const string Schema = "grantledger_tests";

    public const string Password = "correct horse battery";

    /// <summary>Test users by short name; each signs in for real and gets a bearer token.</summary>
    public static readonly IReadOnlyDictionary<string, (string Email, string[] Roles)> Staff = new Dictionary<string, (string, string[])>
    {
        ["finance"] = ("finance@test.example", ["finance"]),
        ["approver"] = ("approver@test.example", ["finance", "approver"]),
        ["approver2"] = ("approver2@test.example", ["finance", "approver"]),
        ["auditor"] = ("auditor@test.example", ["auditor"]),
        ["admin"] = ("admin@test.example", ["admin"]),
    };

    private readonly Dictionary<string, string> _tokens = new();
    private readonly SemaphoreSlim _tokenLock = new(1, 1);

    private async Task AddStaff()
    {
        foreach (var (_, (email, roles)) in Staff)
        {
            await AddUser(email, roles, null);
        }
    }

    /// <summary>Adds a user; a grantee user is bound (by id) to the organisation <paramref name="grantee"/> names (see <see cref="OrganisationNamed"/>).</summary>
    public async Task AddUser(string email, string[] roles, string? grantee) =>
        await AddUserOf(email, roles, grantee is null ? null : await OrganisationNamed(grantee));

    public async Task AddUserOf(string email, string[] roles, Guid? organisationId)
    {
        await using var session = Store.LightweightSession();
        await UserAdministration.Create(session, Host.Services.GetRequiredService<IPasswordHasher<UserAccount>>(),
            new CreateUserRequest(email, email, Password, roles, organisationId));
        await session.SaveChangesAsync();
    }

    /// <summary>A grantee user bound to the organisation named so, created on first use; returns its user name for <see cref="Send"/>.</summary>
    public async Task<string> GranteeUser(string organisation) => await GranteeUserOf(await OrganisationNamed(organisation), "grantee:" + organisation);

    /// <summary>A grantee user bound to the organisation with this id (two organisations may share a name).</summary>
    public async Task<string> GranteeUserOf(Guid organisationId, string? name = null)
    {
        name ??= "grantee-of:" + organisationId;
        await _tokenLock.WaitAsync();
        try
        {
            if (!_tokens.ContainsKey(name))
            {
                var email = $"grantee-{Guid.NewGuid():N}@test.example";
                await AddUserOf(email, ["grantee"], organisationId);
                _tokens[name] = await SignIn(email);
            }
        }
        finally
        {
            _tokenLock.Release();
        }

        return name;
    }

    private readonly Dictionary<string, Guid> _organisations = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _organisationLock = new(1, 1);

    /// <summary>
    /// The organisation a test names, once per name per host: the one organisation with that short name if there is
    /// exactly one (the demo's), else one registered now, as finance would, with an approved bank account (finance
    /// proposes, an approver approves), so grants awarded to it can be paid.
    /// </summary>
    public async Task<Guid> OrganisationNamed(string name)
    {
        await _organisationLock.WaitAsync();
        try
        {
            if (_organisations.TryGetValue(name, out var known))
            {
                return known;
            }

            await using (var query = Store.QuerySession())
            {
                var existing = await query.Query<GrantLedger.Domain.Organisations.Organisation>().Where(o => o.ShortName == name).Select(o => o.Id).ToListAsync();
                if (existing.Count == 1)
                {
                    return _organisations[name] = existing[0];
                }
            }

            return _organisations[name] = await RegisterOrganisation(name);
        }
        finally
        {
            _organisationLock.Release();
        }
    }

    /// <summary>Registers an organisation (always a new one, even if the name is taken) with one approved EUR account.</summary>
    public async Task<Guid> RegisterOrganisation(string name, string country = "KG")
    {
        var registered = await Post("/api/organisations", new { legalName = name + " Public Foundation", shortName = name, countries = new[] { country } });
        if (registered.Status != 201)
        {
            throw new InvalidOperationException(registered.ToString());
        }

        var proposed = await Post($"/api/organisations/{registered.Id}/bank-accounts", new
        {
            holder = name, accountNumber = "1280016012345678", bankName = "Kyrgyz Investment and Credit Bank", bankCountry = "KG",
            currency = "EUR", swift = "KICBKG22", reason = "account in the grant agreement",
        });
        var accountId = proposed.Json["accountId"]?.GetValue<string>() ?? throw new InvalidOperationException(proposed.ToString());
        var approved = await Send(HttpMethod.Post, $"/api/organisations/{registered.Id}/bank-accounts/{accountId}/approve", user: "approver");
        if (approved.Status != 201)
        {
            throw new InvalidOperationException(approved.ToString());
        }

        return registered.Id;
    }

    public async Task<string> Token(string user)
    {
        await _tokenLock.WaitAsync();
        try
        {
            if (!_tokens.TryGetValue(user, out var token))
            {
                token = _tokens[user] = await SignIn(Staff[user].Email);
            }

            return token;
        }
        finally
        {
            _tokenLock.Release();
        }
    }

    private async Task<string> SignIn(string email)
    {
        using var response = await Client.PostAsJsonAsync("/api/auth/token", new { email, password = Password });
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        return body["accessToken"]?.GetValue<string>() ?? throw new InvalidOperationException($"{email} could not sign in: {body}");
    }

    /// <summary>A superuser connection to the test cluster, for what the application itself may not do.</summary>
    public static string AdminConnectionString =>
        Environment.GetEnvironmentVariable("GRANTLEDGER_TEST_ADMIN_CONNECTION")
        ?? new NpgsqlConnectionStringBuilder(RuntimeConnectionString) { Username = "postgres", Password = "grantledger" }.ConnectionString;

    /// <summary>
    /// Empties the ledger: documents, events (as a superuser with triggers off, since the application may not delete
    /// events), the audit chain, evidence bytes and pending scheduled messages. Only while no application runs on the
    /// schema (<see cref="StartEmpty"/>): one that does takes locks on the same tables, and the wipe can deadlock with it.
    /// </summary>
    private static async Task Reset(string schema)
    {
        // The runtime role may not truncate anything; a superuser session with triggers off (replica role) may.
        await AsSuperuser($"""
            set session_replication_role = replica;
            do $$ declare tables text; begin
              select string_agg(format('%I.%I', schemaname, tablename), ', ') into tables from pg_tables
              where schemaname = '{schema}' and (tablename like 'mt_doc_%' or tablename in
                ('mt_events', 'mt_streams', 'audit_chain', 'audit_checkpoints', 'evidence_files', 'report_files', 'report_checkpoints', 'wolverine_incoming_envelopes'));
              execute 'truncate ' || tables;
            end $$;
            alter sequence {schema}.mt_events_sequence restart with 1;
            """);
        foreach (var journal in Directory.Exists(KeysDirectory) ? Directory.GetFiles(KeysDirectory, $"audit-checkpoints-{schema}.jsonl") : [])
        {
            File.Delete(journal);
        }
    }

    private static readonly SemaphoreSlim StartLock = new(1, 1);
    private static readonly HashSet<string> Applied = [];

    /// <summary>
    /// What scripts do before starting the app: <c>db-apply</c> as the schema owner (once per schema and test run).
    /// Hosts are built one at a time, so a migration's host is never mistaken for a test's.
    /// </summary>
    public static async Task ApplySchema(string schema)
    {
        if (!Applied.Add(schema))
        {
            return;
        }

        await using var app = Configuration.GrantLedgerApp.Build([
            "--environment=Testing", $"--ConnectionStrings:GrantLedger={OwnerConnectionString}", $"--GrantLedger:SchemaName={schema}",
            $"--GrantLedger:Audit:SigningKeyPath={SigningKeyPath}",
        ]);
        await Database.DatabaseRoles.ApplyAsync(app.Services, CancellationToken.None);
    }

    /// <summary>Runs SQL as a superuser; answers the number of rows it changed.</summary>
    public static async Task<int> AsSuperuser(string sql)
    {
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteNonQueryAsync();
    }

    /// <summary>The same helpers over a host a test started itself (e.g. to restart it), with the clock it was started with.</summary>
    public static async Task<LedgerHost> Wrap(IAlbaHost host, FakeClock? clock = null)
    {
        var wrapped = new LedgerHost { Host = host, Client = host.Server.CreateClient(), Clock = clock ?? new FakeClock(StartOfTime) };
        await using var session = wrapped.Store.QuerySession();
        if (!await session.Query<UserAccount>().AnyAsync())
        {
            await wrapped.AddStaff();
        }

        return wrapped;
    }

    /// <summary>db-apply again, now (e.g. after a test changed grants or triggers on purpose).</summary>
    public static async Task ApplySchemaNow(string schema)
    {
        await StartLock.WaitAsync();
        try
        {
            Applied.Remove(schema);
            await ApplySchema(schema);
        }
        finally
        {
            StartLock.Release();
        }
    }

    /// <summary>
    /// Starts the real application on an empty ledger in its own schema: db-apply, then the last run's data wiped
    /// (<see cref="Reset"/>) before the application starts, so nothing it does at start-up (recovering scheduled
    /// messages, chaining events) races the wipe.
    /// </summary>
    public static async Task<IAlbaHost> StartEmpty(string schema, FakeClock? clock, IReadOnlyDictionary<string, string>? settings = null,
        Action<IServiceCollection>? services = null)
    {
        await StartLock.WaitAsync();
        try
        {
            await ApplySchema(schema);
            await Reset(schema);
            return await StartApplied(schema, clock, settings, services);
        }
        finally
        {
            StartLock.Release();
        }
    }

    /// <summary>Starts the real application on the test database, in its own schema as it is, with a fake clock.</summary>
    public static async Task<IAlbaHost> Start(string schema, FakeClock? clock, IReadOnlyDictionary<string, string>? settings = null,
        bool applySchema = true)
    {
        await StartLock.WaitAsync();
        try
        {
            if (applySchema)
            {
                await ApplySchema(schema);
            }

            return await StartApplied(schema, clock, settings);
        }
        finally
        {
            StartLock.Release();
        }
    }

    private static Task<IAlbaHost> StartApplied(string schema, FakeClock? clock, IReadOnlyDictionary<string, string>? settings,
        Action<IServiceCollection>? configure = null)
    {
        JasperFxEnvironment.AutoStartHost = true;
        var connection = RuntimeConnectionString;
        return AlbaHost.For<Program>(builder =>
        {
            builder.UseEnvironment("Testing");
            builder.UseSetting("ConnectionStrings:GrantLedger", connection);
            builder.UseSetting("GrantLedger:SchemaName", schema);
            builder.UseSetting("GrantLedger:Demo:Seed", "false");
            builder.UseSetting("GrantLedger:Scheduling:PollingMilliseconds", "200");
            builder.UseSetting("GrantLedger:Milestones:MaxEvidenceFileBytes", TestMaxEvidenceBytes.ToString(CultureInfo.InvariantCulture));
            // Generous limits, so no test is refused for another test's load; RateLimitTests use a host with small ones.
            foreach (var kind in new[] { "SignIn", "Reports", "Verification", "Imports" })
            {
                builder.UseSetting($"GrantLedger:RateLimits:{kind}:PerUser", "100000");
                builder.UseSetting($"GrantLedger:RateLimits:{kind}:PerAddress", "100000");
            }

            // Every request checks its session's security stamp (production trusts a check for up to 60 s).
            builder.UseSetting("GrantLedger:Auth:RevalidateSeconds", "0");
            // Tests move the fake clock by months; tokens must outlive that.
            builder.UseSetting("GrantLedger:Auth:TokenLifetimeMinutes", "52560000");
            builder.UseSetting("GrantLedger:Audit:ChainIntervalMilliseconds", "100");
            builder.UseSetting("GrantLedger:Audit:SigningKeyPath", SigningKeyPath);
            foreach (var (key, value) in settings ?? new Dictionary<string, string>())
            {
                builder.UseSetting(key, value);
            }

            builder.ConfigureServices(services =>
            {
                if (clock is not null)
                {
                    services.AddSingleton<IClock>(clock);
                }

                services.RunWolverineInSoloMode();
                services.DisableAllExternalWolverineTransports();
                configure?.Invoke(services);
            });
        });
    }

    /// <summary>
    /// Polls until the condition holds (background work such as scheduled messages finishes in its own time), and
    /// fails with the condition and the last value seen when it does not hold within the time.
    /// </summary>
    public static async Task<T> Eventually<T>(Func<Task<T>> probe, Func<T, bool> done, int seconds = 30,
        [CallerArgumentExpression(nameof(done))] string condition = "")
    {
        var limit = TimeSpan.FromSeconds(seconds);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var looks = 0;
        T value;
        do
        {
            value = await probe();
            looks++;
            if (done(value))
            {
                return value;
            }

            await Task.Delay(100);
        }
        while (watch.Elapsed < limit);

        var last = value?.ToString() ?? "null";
        throw new TimeoutException($"Waited {seconds} s ({looks} looks) for {condition}; it never held. The last value was: " +
            (last.Length > 2_000 ? last[..2_000] + " …" : last));
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Host.DisposeAsync();
    }

    /// <summary>Sends raw JSON (so tests can send malformed bodies too) as the named user (null: nobody signed in).</summary>
    public async Task<Reply> Send(HttpMethod method, string url, string? json = null, IDictionary<string, string>? headers = null,
        string? user = "finance", HttpContent? content = null)
    {
        using var request = new HttpRequestMessage(method, url);
        if (user is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await Token(user));
        }

        request.Content = content;
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var response = await Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var isJson = response.Content.Headers.ContentType?.MediaType?.Contains("json") == true;
        return new Reply((int)response.StatusCode, text.Length == 0 || !isJson ? null : JsonNode.Parse(text),
            response.Content.Headers.ContentType?.MediaType, response.Headers.ToDictionary(h => h.Key, h => string.Join(",", h.Value)));
    }

    public async Task<HttpResponseMessage> Download(string url, string user)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await Token(user));
        return await Client.SendAsync(request);
    }

    public Task<Reply> Get(string url, string? user = "finance") => Send(HttpMethod.Get, url, user: user);

    public Task<Reply> Post(string url, object body, IDictionary<string, string>? headers = null, string? user = "finance") =>
        Send(HttpMethod.Post, url, System.Text.Json.JsonSerializer.Serialize(body), headers, user);
}

public sealed record Reply(int Status, JsonNode? Body, string? ContentType, IReadOnlyDictionary<string, string> Headers)
{
    public string? Code => Body?["code"]?.GetValue<string>();
    public JsonNode Json => Body ?? throw new InvalidOperationException($"Empty body with status {Status}");
    public Guid Id => Guid.Parse(Json["id"]!.GetValue<string>());
    public override string ToString() => $"{Status} {Body?.ToJsonString()}";
}

[CollectionDefinition(Name)]
public sealed class LedgerCollection : ICollectionFixture<LedgerHost>
{
    public const string Name = "ledger";
}
