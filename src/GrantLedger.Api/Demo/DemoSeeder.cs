using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using GrantLedger.Api.Configuration;
using GrantLedger.Api.Http;
using GrantLedger.Api.Programmes;
using GrantLedger.Domain;
using GrantLedger.Domain.Grants;
using GrantLedger.Domain.Programmes;
using Marten;
using Microsoft.Extensions.Options;
using NodaTime;

namespace GrantLedger.Api.Demo;

public sealed class DemoOptions
{
    public bool Seed { get; set; }
    public string File { get; set; } = "Demo/sos-central-asia.json";
}

public sealed record DemoProgramme(
    string Code, string Name, string Currency, decimal Allocation, LocalDate WindowStart, LocalDate WindowEnd, string TimeZone);

public sealed record DemoGrant(string Key, string Grantee, IReadOnlyList<string> Countries, string Title, decimal Amount);

public sealed record DemoDisbursement(string Grant, decimal Amount, LocalDate ValueDate, string Reference, string? Note, string? Reversal);

public sealed record DemoLedger(DemoProgramme Programme, IReadOnlyList<DemoGrant> Grants, IReadOnlyList<DemoDisbursement> Disbursements);

/// <summary>
/// Seeds the SOS Central Asia demo once, through the same decisions as the API (so the demo obeys every rule).
/// Ids are derived from the programme code, and the programme code is unique: a second run adds nothing.
/// </summary>
public sealed class DemoSeeder(IDocumentStore store, IOptions<DemoOptions> options, IHostEnvironment environment, ILogger<DemoSeeder> logger)
    : IHostedService
{
    private static readonly RequestMetadata Seed = new("demo-seed", "demo-seed");

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.Seed)
        {
            return;
        }

        var path = Path.IsPathRooted(options.Value.File)
            ? options.Value.File
            : Path.Combine(AppContext.BaseDirectory, options.Value.File);
        if (!System.IO.File.Exists(path))
        {
            path = Path.Combine(environment.ContentRootPath, options.Value.File);
        }

        await using var file = System.IO.File.OpenRead(path);
        var demo = await JsonSerializer.DeserializeAsync<DemoLedger>(file, new JsonSerializerOptions().ConfigureGrantLedger(), cancellationToken)
            ?? throw new InvalidOperationException($"The demo file {path} is empty.");

        await using var session = store.LightweightSession();
        if (await session.LoadAsync<ProgrammeCode>(demo.Programme.Code, cancellationToken) is not null)
        {
            logger.LogInformation("Demo programme {Code} already present; nothing seeded", demo.Programme.Code);
            return;
        }

        await SeedAsync(session, demo, cancellationToken);
        logger.LogInformation("Seeded demo programme {Code} with {Grants} grants", demo.Programme.Code, demo.Grants.Count);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public static async Task SeedAsync(IDocumentSession session, DemoLedger demo, CancellationToken cancellationToken)
    {
        var p = demo.Programme;
        var programmeId = IdFor(p.Code);
        session.RecordedBy(Seed, "SOS Central Asia demo data");

        var opened = OpenProgrammeDecision.Decide(new OpenProgramme(programmeId, p.Code, p.Name, p.Currency,
            p.Allocation, p.WindowStart, p.WindowEnd, p.TimeZone)).Value;
        session.Insert(new ProgrammeCode(p.Code, programmeId));
        session.Events.StartStream<Programme>(programmeId, opened);
        var programme = Programme.Create(opened);

        var grants = new Dictionary<string, Grant>();
        foreach (var g in demo.Grants)
        {
            var award = AwardGrantDecision.Decide(programme, new AwardGrant(IdFor($"{p.Code}/{g.Key}"), g.Grantee,
                g.Countries, g.Title, g.Amount, null, p.WindowStart, p.WindowEnd)).Value;
            session.Events.Append(programmeId, award.Commitment);
            session.Events.StartStream<Grant>(award.Award.GrantId, award.Award);
            programme = programme.Apply(award.Commitment);
            grants[g.Key] = Grant.Create(award.Award);
        }

        foreach (var (d, index) in demo.Disbursements.Select((d, i) => (d, i)))
        {
            var grant = grants[d.Grant];
            var recorded = RecordDisbursementDecision.Decide(grant, programme.Window, new RecordDisbursement(
                IdFor($"{p.Code}/disbursement/{index}"), d.Amount, null, d.ValueDate, d.Reference, d.Note)).Value;
            session.Events.Append(grant.Id, recorded);
            grant = grant.Apply(recorded);
            if (d.Reversal is { } reason)
            {
                var reversed = ReverseDisbursementDecision.Decide(grant, new ReverseDisbursement(recorded.DisbursementId, reason)).Value;
                session.Events.Append(grant.Id, reversed);
                grant = grant.Apply(reversed);
            }

            grants[d.Grant] = grant;
        }

        await session.SaveChangesAsync(cancellationToken);
    }

    /// <summary>A stable id from a name, so the demo has the same ids on every machine.</summary>
    public static Guid IdFor(string name)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes("grantledger-demo:" + name));
        return new Guid(hash.AsSpan(0, 16));
    }
}
