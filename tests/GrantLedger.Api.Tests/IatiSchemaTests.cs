using System.Text;
using System.Xml;
using System.Xml.Schema;
using NodaTime;
using NodaTime.Text;

namespace GrantLedger.Api.Tests;

/// <summary>
/// The IATI activity file validated against the official IATI 2.03 schemas (iati-activities-schema.xsd, iati-common.xsd,
/// xml.xsd) that the project keeps beside the repository in <c>../shared/iati-2.03/</c>. A missing schema folder fails
/// the test with a message saying where it was looked for: the export must be checked against the standard on every run.
/// </summary>
[Collection(LedgerCollection.Name)]
public class IatiSchemaTests(LedgerHost host) : FromStartOfTime(host.Clock)
{
    private readonly Ledger _ledger = new(host);

    private static readonly Lazy<XmlSchemaSet> Schemas = new(LoadSchemas);

    /// <summary>The folder holding the official schemas: <c>GRANTLEDGER_IATI_SCHEMAS</c>, else <c>../shared/iati-2.03</c>
    /// next to the repository root (found by walking up to GrantLedger.sln).</summary>
    internal static string SchemaFolder()
    {
        var configured = Environment.GetEnvironmentVariable("GRANTLEDGER_IATI_SCHEMAS");
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return configured;
        }

        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "GrantLedger.sln")))
        {
            directory = directory.Parent;
        }

        if (directory?.Parent is null)
        {
            throw new InvalidOperationException($"GrantLedger.sln not found above {AppContext.BaseDirectory}; cannot locate ../shared/iati-2.03");
        }

        return Path.Combine(directory.Parent.FullName, "shared", "iati-2.03");
    }

    private static XmlSchemaSet LoadSchemas()
    {
        var folder = SchemaFolder();
        var main = Path.Combine(folder, "iati-activities-schema.xsd");
        string[] required = ["iati-activities-schema.xsd", "iati-common.xsd", "xml.xsd"];
        var missing = required.Where(f => !File.Exists(Path.Combine(folder, f))).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidOperationException(
                $"The official IATI 2.03 schemas are missing from {folder} ({string.Join(", ", missing)}). They are kept in " +
                "shared/iati-2.03 beside the repository (or set GRANTLEDGER_IATI_SCHEMAS to a folder holding them).");
        }

        var set = new XmlSchemaSet { XmlResolver = new XmlUrlResolver() };
        using (var reader = XmlReader.Create(main, new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore, XmlResolver = new XmlUrlResolver() }))
        {
            set.Add(null, reader);
        }

        set.Compile();
        return set;
    }

    /// <summary>Every schema error and warning the validator reports, with line and column.</summary>
    internal static List<string> Validate(byte[] file, XmlSchemaSet schemas)
    {
        var problems = new List<string>();
        var settings = new XmlReaderSettings { ValidationType = ValidationType.Schema, Schemas = schemas, DtdProcessing = DtdProcessing.Prohibit };
        settings.ValidationFlags |= XmlSchemaValidationFlags.ReportValidationWarnings;
        settings.ValidationEventHandler += (_, e) =>
            problems.Add($"{e.Severity} at line {e.Exception.LineNumber}, column {e.Exception.LinePosition}: {e.Message}");
        using var reader = XmlReader.Create(new MemoryStream(file), settings);
        while (reader.Read())
        {
        }

        return problems;
    }

    private async Task AssertValid(Guid programme, Instant asOf)
    {
        using var response = await host.Download($"/api/exports/iati.xml?programmeId={programme}&asOf={InstantPattern.ExtendedIso.Format(asOf)}", "finance");
        var body = await response.Content.ReadAsByteArrayAsync();
        Assert.True((int)response.StatusCode == 200, Encoding.UTF8.GetString(body));

        var problems = Validate(body, Schemas.Value);

        Assert.True(problems.Count == 0,
            $"The IATI file is not valid against the official 2.03 schema ({SchemaFolder()}):\n" + string.Join("\n", problems) +
            "\n--- file ---\n" + Encoding.UTF8.GetString(body));
    }

    [Fact]
    public void the_official_schemas_are_found_and_compile()
    {
        var schemas = Schemas.Value;

        Assert.True(schemas.IsCompiled);
        Assert.Contains(schemas.GlobalElements.Names.Cast<XmlQualifiedName>(), n => n.Name == "iati-activities");
    }

    [Fact]
    public void the_validator_rejects_a_file_the_schema_does_not_allow()
    {
        // A guard against a validator that accepts everything: an activity without its identifier and with an unknown element.
        var bad = Encoding.UTF8.GetBytes(
            """<?xml version="1.0" encoding="utf-8"?><iati-activities version="2.03" generated-datetime="2026-12-01T00:00:00Z"><iati-activity default-currency="EUR"><snow-leopard/></iati-activity></iati-activities>""");

        var problems = Validate(bad, Schemas.Value);

        Assert.NotEmpty(problems);
    }

    [Fact]
    public async Task the_demo_programmes_iati_file_is_valid_against_the_official_2_03_schema()
    {
        var afterDemo = LedgerHost.DemoSeeded + Duration.FromHours(2);
        host.Clock.Reset(afterDemo + Duration.FromHours(1));
        var programme = Guid.Parse((await host.Get("/api/programmes")).Json.AsArray().Single(p => p!.Text("code") == "SOS-CA-1")!.Text("id"));

        await AssertValid(programme, afterDemo);
    }

    [Fact]
    public async Task a_programme_with_an_amendment_a_reversal_and_a_grant_without_payments_exports_a_valid_file()
    {
        host.Clock.Reset(Instant.FromUtc(2021, 6, 8, 6, 0));
        var programme = await _ledger.OpenProgramme(allocation: 150_000m);
        var amended = await _ledger.Award(programme, 50_000m, tranches: [20_000m, 30_000m]);
        var first = await _ledger.Tranche(amended, 1);
        var paid = await _ledger.TryDisburse(amended, 10_000m, trancheId: first);
        var wrong = await _ledger.TryDisburse(amended, 1_250.50m, trancheId: first);
        Assert.True(paid.Status == 201 && wrong.Status == 201, $"{paid} {wrong}");
        Assert.Equal(201, (await _ledger.TryReverse(amended, wrong.Id, "Keyed twice")).Status);
        var amendment = await host.Post($"/api/grants/{amended}/amendments", new { reason = "Second field season", amount = 60_000m, endDate = "2021-09-30" });
        Assert.True(amendment.Status == 201, amendment.ToString());
        Assert.Equal(201, (await host.Send(HttpMethod.Post, $"/api/grants/{amended}/amendments/{amendment.Id}/approval", user: "approver")).Status);
        var unpaid = await _ledger.Award(programme, 40_000m);
        host.Clock.Advance(Duration.FromMinutes(1));

        Assert.Equal(60_000m, (await _ledger.Grant(amended)).Decimal("amount"));
        Assert.Equal(0m, (await _ledger.Grant(unpaid)).Decimal("disbursed"));
        await AssertValid(programme, host.Clock.GetCurrentInstant());
    }
}
