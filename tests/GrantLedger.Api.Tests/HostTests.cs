using Alba;

namespace GrantLedger.Api.Tests;

[Collection(LedgerCollection.Name)]
public class HostTests(LedgerHost host) : FromStartOfTime(host.Clock)
{
    [Fact]
    public async Task health_is_ok_when_the_database_is_reachable()
    {
        await host.Host.Scenario(s =>
        {
            s.Get.Url("/health");
            s.StatusCodeShouldBeOk();
            s.ContentShouldContain("healthy");
        });
    }

    [Fact]
    public async Task the_openapi_document_describes_the_ledger_endpoints()
    {
        var result = await host.Host.Scenario(s =>
        {
            s.Get.Url("/openapi/v1.json");
            s.StatusCodeShouldBeOk();
        });

        var document = await result.ReadAsTextAsync();
        Assert.Contains("/api/programmes", document);
        Assert.Contains("/api/grants/{grantId}/disbursements", document);
        Assert.Contains("/api/grants/{grantId}/disbursements/{disbursementId}/reversal", document);
        Assert.Contains("/api/exports/{kind}.csv", document);
        Assert.Contains("/api/exports/iati.xml", document);
    }

    [Fact]
    public async Task an_unknown_route_is_a_404_problem()
    {
        await host.Host.Scenario(s =>
        {
            s.Get.Url("/api/nothing-here");
            s.StatusCodeShouldBe(404);
            s.ContentTypeShouldBe("application/problem+json");
        });
    }
}
