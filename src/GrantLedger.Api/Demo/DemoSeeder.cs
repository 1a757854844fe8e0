using System.Text.Json;
using GrantLedger.Api.Configuration;
using GrantLedger.Api.Identity;
using GrantLedger.Api.Milestones;
using GrantLedger.Api.Programmes;
using Marten;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using NodaTime;
using Wolverine;
using Wolverine.Marten.Publishing;

namespace GrantLedger.Api.Demo;

public sealed class DemoOptions
{
    public bool Seed { get; set; }
    public string File { get; set; } = "Demo/sos-central-asia.json";

    /// <summary>The demo users' password: <c>GRANTLEDGER_DEMO_PASSWORD</c>, else this default. Demo only.</summary>
    public string Password { get; set; } = Environment.GetEnvironmentVariable("GRANTLEDGER_DEMO_PASSWORD") is { Length: > 0 } p ? p : "snowleopard";
}

/// <summary>
/// Seeds the demo once at start when <see cref="DemoOptions.Seed"/> is on: reads the demo file, adds its users, and
/// runs <see cref="SosCentralAsiaScenario"/> in an outboxed session, so the milestones' deadline checks are scheduled
/// in the same transaction and past deadlines become overdue on their own. Ids are derived from the programme code,
/// and the code is unique: a second run adds nothing.
/// </summary>
public sealed class DemoSeeder(IServiceScopeFactory scopes, IOptions<DemoOptions> options, IHostEnvironment environment, ILogger<DemoSeeder> logger)
    : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.Seed)
        {
            return;
        }

        if (environment.IsProduction())
        {
            // ProductionGuard refuses to start first; this is the second lock on the same door.
            logger.LogCritical("GrantLedger:Demo:Seed is on in Production; the demo is not seeded");
            return;
        }

        var demo = await Read(cancellationToken);
        await using var scope = scopes.CreateAsyncScope();
        // Staff first (the organisations' accounts are proposed and approved by them), then the organisations, then their users.
        var staff = await SeedUsersAsync(scope.ServiceProvider, [.. (demo.Users ?? []).Where(u => u.Grantee is null)], options.Value.Password, cancellationToken);
        await DemoOrganisations.SeedAsync(scope.ServiceProvider.GetRequiredService<IDocumentStore>(), staff, cancellationToken);
        var grantees = await SeedUsersAsync(scope.ServiceProvider, [.. (demo.Users ?? []).Where(u => u.Grantee is not null)], options.Value.Password, cancellationToken);
        var users = staff.Concat(grantees).ToDictionary();
        var bus = scope.ServiceProvider.GetRequiredService<IMessageBus>();
        await using var session = scope.ServiceProvider.GetRequiredService<OutboxedSessionFactory>().OpenSession(bus);
        if (await session.LoadAsync<ProgrammeCode>(demo.Programme.Code, cancellationToken) is not null)
        {
            logger.LogInformation("Demo programme {Code} already present; nothing seeded", demo.Programme.Code);
            return;
        }

        var clock = scope.ServiceProvider.GetRequiredService<IClock>();
        var milestoneOptions = scope.ServiceProvider.GetRequiredService<IOptions<MilestoneOptions>>().Value;
        await SosCentralAsiaScenario.RunAsync(session, bus, demo, clock.GetCurrentInstant(), milestoneOptions, users, cancellationToken);
        logger.LogInformation("Seeded demo programme {Code} with {Grants} grants", demo.Programme.Code, demo.Grants.Count);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Adds the demo users that do not exist yet; returns every demo user's id by e-mail.</summary>
    private static async Task<IReadOnlyDictionary<string, string>> SeedUsersAsync(IServiceProvider services, IReadOnlyList<DemoUser> users,
        string password, CancellationToken cancellationToken)
    {
        var hasher = services.GetRequiredService<IPasswordHasher<UserAccount>>();
        await using var session = services.GetRequiredService<IDocumentStore>().LightweightSession();
        var ids = new Dictionary<string, string>();
        foreach (var u in users)
        {
            var existing = await session.Query<UserAccount>().FirstOrDefaultAsync(x => x.Email == UserAccount.Normalise(u.Email), cancellationToken);
            var user = existing ?? await UserAdministration.Create(session, hasher,
                new CreateUserRequest(u.Email, u.DisplayName, password, u.Roles, u.Grantee is { } name ? DemoOrganisations.IdOf(name) : null), Languages.Supported(u.Language));
            ids[UserAccount.Normalise(u.Email)] = user!.Id.ToString();
        }

        await session.SaveChangesAsync(cancellationToken);
        return ids;
    }

    private async Task<DemoLedger> Read(CancellationToken cancellationToken)
    {
        var path = Path.IsPathRooted(options.Value.File)
            ? options.Value.File
            : Path.Combine(AppContext.BaseDirectory, options.Value.File);
        if (!System.IO.File.Exists(path))
        {
            path = Path.Combine(environment.ContentRootPath, options.Value.File);
        }

        await using var file = System.IO.File.OpenRead(path);
        return await JsonSerializer.DeserializeAsync<DemoLedger>(file, new JsonSerializerOptions().ConfigureGrantLedger(), cancellationToken)
            ?? throw new InvalidOperationException($"The demo file {path} is empty.");
    }
}
