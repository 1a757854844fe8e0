namespace GrantLedger.Api.Tests;

[Collection(LedgerCollection.Name)]
public class MalformedInputTests(LedgerHost host) : FromStartOfTime(host.Clock)
{
    private readonly Ledger _ledger = new(host);

    public static TheoryData<string> MalformedPaymentBodies => new()
    {
        "{",
        "",
        "null",
        "[]",
        "\"a string\"",
        """{"amount": "100", "valueDate": "2020-05-04", "reference": "R"}""",
        """{"amount": 1e400, "valueDate": "2020-05-04", "reference": "R"}""",
        """{"amount": 100, "valueDate": "2020-13-01", "reference": "R"}""",
        """{"amount": 100, "valueDate": "04/05/2020", "reference": "R"}""",
        """{"amount": 100, "valueDate": "2020-05-04"}""",
        """{"amount": 100, "valueDate": "2020-05-04", "reference": null}""",
        """{"amount": 100, "valueDate": "2020-05-04", "reference": "   "}""",
        """{"valueDate": "2020-05-04", "reference": "R"}""",
        """{"amount": 100, "valueDate": "2020-05-04", "reference": "R", "currency": "euro"}""",
        """{"amount": 100, "valueDate": "2020-05-04", "reference": "R", "expectedVersion": "two"}""",
        """{"amount": 100, "valueDate": "2020-05-04", "reference": "R", "expectedVersion": 0}""",
    };

    [Theory]
    [MemberData(nameof(MalformedPaymentBodies))]
    public async Task a_malformed_payment_is_a_400_problem_and_records_nothing(string body)
    {
        var grantId = await _ledger.GrantOf(1_000m);

        var reply = await host.Send(HttpMethod.Post, $"/api/grants/{grantId}/disbursements", body,
            new Dictionary<string, string> { ["Idempotency-Key"] = Guid.NewGuid().ToString() });

        Assert.Equal(400, reply.Status);
        Assert.Equal("application/problem+json", reply.ContentType);
        Assert.Equal("malformed-request", reply.Code);
        var grant = await _ledger.Grant(grantId);
        Assert.Equal(1, grant["version"]!.GetValue<long>());
    }

    [Fact]
    public async Task a_payment_without_an_idempotency_key_is_a_400_problem()
    {
        var grantId = await _ledger.GrantOf(1_000m);

        var reply = await host.Post($"/api/grants/{grantId}/disbursements",
            new { amount = 10m, valueDate = "2020-05-04", reference = "R" });

        Assert.Equal(400, reply.Status);
        Assert.Equal("malformed-request", reply.Code);
        Assert.Contains("Idempotency-Key", reply.Json["errors"]!.ToJsonString());
        Assert.Equal(0m, (await _ledger.Grant(grantId)).Decimal("disbursed"));
    }

    public static TheoryData<string> MalformedProgrammes => new()
    {
        """{"code": "X", "name": "N", "currency": "EUR", "allocation": 1, "windowStart": "2020-01-01"}""",
        """{"code": "", "name": "N", "currency": "EUR", "allocation": 1, "windowStart": "2020-01-01", "windowEnd": "2020-12-31"}""",
        """{"code": "X", "name": "N", "currency": "eu", "allocation": 1, "windowStart": "2020-01-01", "windowEnd": "2020-12-31"}""",
        """{"code": "X", "name": "N", "currency": "EUR", "allocation": 1, "windowStart": "2020-01-01", "windowEnd": "2020-12-31", "timeZone": "Mars/Olympus"}""",
        """{"code": "X", "name": "N", "currency": "EUR", "allocation": true, "windowStart": "2020-01-01", "windowEnd": "2020-12-31"}""",
    };

    [Theory]
    [MemberData(nameof(MalformedProgrammes))]
    public async Task a_malformed_programme_is_a_400_problem(string body)
    {
        var reply = await host.Send(HttpMethod.Post, "/api/programmes", body);

        Assert.Equal(400, reply.Status);
        Assert.Equal("malformed-request", reply.Code);
    }

    [Theory]
    [InlineData("""{"grantee": "G", "countries": [], "title": "T", "amount": 1, "windowStart": "2020-04-01", "windowEnd": "2020-12-31"}""")]
    [InlineData("""{"grantee": "G", "countries": ["Kyrgyzstan"], "title": "T", "amount": 1, "windowStart": "2020-04-01", "windowEnd": "2020-12-31"}""")]
    [InlineData("""{"grantee": "G", "countries": ["KG"], "amount": 1, "windowStart": "2020-04-01", "windowEnd": "2020-12-31"}""")]
    public async Task a_malformed_grant_is_a_400_problem(string body)
    {
        var programmeId = await _ledger.OpenProgramme();

        var reply = await host.Send(HttpMethod.Post, $"/api/programmes/{programmeId}/grants", body);

        Assert.Equal(400, reply.Status);
        Assert.Equal("malformed-request", reply.Code);
        Assert.Equal(0m, (await _ledger.Programme(programmeId)).Decimal("committed"));
    }

    [Fact]
    public async Task a_reversal_without_a_reason_is_a_400_problem()
    {
        var grantId = await _ledger.GrantOf(1_000m);
        var paid = await _ledger.Disburse(grantId, 10m);

        var reply = await host.Send(HttpMethod.Post, $"/api/grants/{grantId}/disbursements/{paid}/reversal", "{}");

        Assert.Equal(400, reply.Status);
        Assert.Equal(10m, (await _ledger.Grant(grantId)).Decimal("disbursed"));
    }

    [Fact]
    public async Task a_body_that_is_not_json_is_refused_without_a_server_error()
    {
        var grantId = await _ledger.GrantOf(1_000m);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/grants/{grantId}/disbursements")
        {
            Content = new StringContent("amount=10", System.Text.Encoding.UTF8, "application/x-www-form-urlencoded"),
        };
        request.Headers.Add("Idempotency-Key", "form");

        using var response = await host.Client.SendAsync(request);

        Assert.Equal(415, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task an_id_that_is_not_a_guid_is_404()
    {
        var reply = await host.Get("/api/grants/not-a-guid");

        Assert.Equal(404, reply.Status);
        Assert.Equal("not-found", reply.Code);
    }

    [Theory]
    [InlineData("/api/grants/00000000-0000-0000-0000-000000000000/disbursements", """{"amount":10.00,"valueDate":"2020-05-04","reference":"ZERO"}""")]
    [InlineData("/api/grants/00000000-0000-0000-0000-000000000000/disbursements/00000000-0000-0000-0000-000000000000/reversal", """{"reason":"zero"}""")]
    [InlineData("/api/programmes/00000000-0000-0000-0000-000000000000/grants",
        """{"organisationId":"00000000-0000-0000-0000-000000000001","countries":["KG"],"title":"Zero","amount":10.00,"windowStart":"2020-04-01","windowEnd":"2021-09-30"}""")]
    public async Task a_write_to_the_all_zero_id_is_404_not_a_server_error(string path, string body)
    {
        var reply = await host.Post(path, System.Text.Json.Nodes.JsonNode.Parse(body)!,
            new Dictionary<string, string> { ["Idempotency-Key"] = "zero-" + Guid.NewGuid() });

        Assert.Equal(404, reply.Status);
        Assert.Equal("not-found", reply.Code);
    }

    [Theory]
    [InlineData("/api/audit?page=abc")]
    [InlineData("/api/audit?pageSize=ten")]
    [InlineData("/api/audit?grantId=not-a-guid")]
    public async Task a_query_value_that_does_not_parse_is_a_400_not_silently_ignored(string url)
    {
        // Unparsed, ?grantId=not-a-guid would have meant "no filter": an auditor would see every grant's trail.
        var reply = await host.Get(url);

        Assert.Equal(400, reply.Status);
        Assert.Equal("application/problem+json", reply.ContentType);
        Assert.Equal("malformed-request", reply.Code);
    }
}
