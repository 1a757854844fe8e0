using System.Globalization;
using GrantLedger.Domain;
using GrantLedger.Domain.Grants;
using GrantLedger.Reports.Interchange;
using NodaTime;

namespace GrantLedger.Reports.Tests;

/// <summary>The rules of the IATI file that need no database: shares that add up to 100 and budgets that add up to the amount.</summary>
public class IatiActivitiesTests
{
    private static Grant Grant(decimal amount, params string[] countries) =>
        new(Guid.NewGuid(), Guid.Empty, "Grantee", countries, "Title", new Money(amount, "EUR"), new LocalDate(2020, 4, 1), new LocalDate(2021, 9, 30),
            "Asia/Bishkek", [], [], []);

    [Fact]
    public void country_shares_are_weighted_by_award_split_equally_within_a_grant_and_add_up_to_exactly_100()
    {
        var shares = IatiActivities.CountryShares([Grant(80_000m, "KG"), Grant(70_000m, "KG", "TJ"), Grant(60_000m, "KZ")]);

        Assert.Equal([("KG", 54.76m), ("KZ", 28.57m), ("TJ", 16.67m)], shares);
        Assert.Equal(100m, shares.Sum(s => s.Percentage));
    }

    [Fact]
    public void three_equal_countries_share_the_last_cent_so_the_total_is_100()
    {
        var shares = IatiActivities.EqualShares(["KG", "TJ", "KZ"]);

        Assert.Equal(100m, shares.Sum(s => s.Percentage));
        Assert.Equal(["33.34", "33.33", "33.33"], shares.Select(s => s.Percentage.ToString("0.00", CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void an_eighteen_month_window_has_two_budget_periods_of_at_most_a_year_adding_up_to_the_amount()
    {
        var budgets = IatiActivities.Budgets(new LocalDate(2020, 4, 1), new LocalDate(2021, 9, 30), 70_000m).ToList();

        Assert.Equal(["2020-04-01/2021-03-31", "2021-04-01/2021-09-30"],
            budgets.Select(b => $"{b.Element("period-start")!.Attribute("iso-date")!.Value}/{b.Element("period-end")!.Attribute("iso-date")!.Value}"));
        Assert.Equal(70_000m, budgets.Sum(b => decimal.Parse(b.Element("value")!.Value, CultureInfo.InvariantCulture)));
    }

    [Theory]
    [InlineData("SOS-CA-1", "XI-IATI-DEMO-ECARO-SOS-CA-1")]
    [InlineData("SOS CA/2 & more?", "XI-IATI-DEMO-ECARO-SOS-CA-2-more-")]
    public void identifiers_are_the_prefix_and_the_code_without_characters_iati_forbids(string code, string expected) =>
        Assert.Equal(expected, IatiActivities.Identifier("XI-IATI-DEMO-ECARO", code));
}
