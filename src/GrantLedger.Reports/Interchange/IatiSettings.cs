namespace GrantLedger.Reports.Interchange;

/// <summary>An organisation as IATI names it: its identifier (may be empty when it has none), its type code and name.</summary>
public sealed class IatiOrganisation
{
    /// <summary>The IATI organisation identifier (e.g. <c>XM-DAC-41301</c>); empty when the organisation has none.</summary>
    public string Ref { get; set; } = "";

    /// <summary>OrganisationType code: 10 government, 21 international NGO, 22 national NGO, 40 multilateral, 60 foundation…</summary>
    public string Type { get; set; } = "";

    public string Name { get; set; } = "";
}

/// <summary>
/// Who publishes the IATI file and the codes every activity carries (section <c>GrantLedger:Iati</c>). The defaults are the
/// demo's values; they are illustrative, not identifiers registered with IATI.
/// </summary>
public sealed class IatiSettings
{
    /// <summary>The publisher of the file: IATI requires every activity identifier to begin with its identifier.</summary>
    public IatiOrganisation ReportingOrg { get; set; } = new()
    {
        Ref = "XI-IATI-DEMO-ECARO",
        Type = "21",
        Name = "IUCN Regional Office for Eastern Europe and Central Asia (ECARO)",
    };

    /// <summary>Activity identifiers are <c>{prefix}-{programme code}</c> and <c>{prefix}-{programme code}-G{n}</c>; the
    /// reporting organisation's identifier when empty.</summary>
    public string IdentifierPrefix { get; set; } = "";

    /// <summary>Participating organisation in role 1 (funding).</summary>
    public IatiOrganisation FundingOrg { get; set; } = new() { Ref = "", Type = "21", Name = "IUCN Save Our Species" };

    /// <summary>Participating organisation in role 2 (accountable); the reporting organisation when its name is empty.</summary>
    public IatiOrganisation AccountableOrg { get; set; } = new();

    /// <summary>Identifier and type of a grantee (role 4, implementing) by its name in the ledger; a grantee not listed
    /// is named without an identifier and with <see cref="DefaultGranteeType"/>.</summary>
    public Dictionary<string, IatiOrganisation> Grantees { get; set; } = new();

    public string DefaultGranteeType { get; set; } = "21";

    /// <summary>DAC 5-digit sector (vocabulary 1); 41030 is biodiversity.</summary>
    public string Sector { get; set; } = "41030";

    /// <summary>OECD DAC policy marker (vocabulary 1); 5 is biodiversity (Convention on Biological Diversity).</summary>
    public string PolicyMarker { get; set; } = "5";

    /// <summary>PolicySignificance: 1 significant objective, 2 principal objective.</summary>
    public string PolicyMarkerSignificance { get; set; } = "2";

    /// <summary>FlowType (30: private development finance — the demo's funder is a private foundation); empty leaves it out.</summary>
    public string DefaultFlowType { get; set; } = "30";

    /// <summary>FinanceType (110: standard grant); empty leaves it out.</summary>
    public string DefaultFinanceType { get; set; } = "110";

    /// <summary>AidType, vocabulary 1 (C01: project-type interventions); empty leaves it out.</summary>
    public string DefaultAidType { get; set; } = "C01";

    /// <summary>TiedStatus (5: untied); empty leaves it out.</summary>
    public string DefaultTiedStatus { get; set; } = "5";

    /// <summary>ISO 639-1 language of the narratives.</summary>
    public string Language { get; set; } = "en";

    public string Prefix => string.IsNullOrWhiteSpace(IdentifierPrefix) ? ReportingOrg.Ref : IdentifierPrefix;

    public IatiOrganisation Accountable => string.IsNullOrWhiteSpace(AccountableOrg.Name) ? ReportingOrg : AccountableOrg;
}
