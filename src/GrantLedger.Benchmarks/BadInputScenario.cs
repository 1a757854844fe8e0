using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace GrantLedger.Benchmarks;

/// <summary>
/// scripts/chaos.sh, scenario "bad input": thousands of generated malformed or hostile requests against the running
/// app (wrong types, huge numbers, three decimals, zero and negative amounts, bad dates, unknown and malformed ids,
/// oversized and non-JSON bodies, deep nesting, wrong roles, another grantee's grant, no credentials) and oversize input
/// (a reason far over its cap, more entries than a report takes, JSON bodies over 1 MB declared and chunked, CSVs over
/// the row cap, forms with too many fields, a report PDF over 20 MB). Every one must be refused with a 4xx and a body:
/// no 5xx, no 2xx, no connection dropped without an answer; the event count and every balance must be unchanged, and
/// the ledger must still reconcile.
/// </summary>
public static class BadInputScenario
{
    private sealed record Attack(string Name, HttpMethod Method, string Path, HttpContent? Body, string? Token);

    public static async Task<int> Run(Uri app, string password, int requests)
    {
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        using var http = new HttpClient { BaseAddress = app, Timeout = TimeSpan.FromSeconds(60) };
        var finance = await ApiCalls.Token(http, "finance@ecaro.example", password);
        var auditor = await ApiCalls.Token(http, "auditor@audit.example", password);
        var grantee = await ApiCalls.Token(http, "grantee@wwb.example", password);

        var grants = (await Json(http, "/api/grants", finance)).AsArray();
        var programmeId = grants[0]!["programmeId"]!.GetValue<string>();
        var own = grants.First(g => g!["grantee"]!.GetValue<string>().StartsWith("Wildlife Without Borders", StringComparison.Ordinal))!["id"]!.GetValue<string>();
        var other = grants.First(g => g!["id"]!.GetValue<string>() != own)!["id"]!.GetValue<string>();
        var paid = (await Json(http, $"/api/grants/{other}", finance))["disbursements"]!.AsArray().FirstOrDefault()?["id"]?.GetValue<string>() ?? Guid.NewGuid().ToString();

        // Deadlines already past when the demo was seeded are checked just after start-up: wait until nothing moves.
        var before = await State(http, auditor);
        for (var settled = 0; settled < 3;)
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            var again = await State(http, auditor);
            settled = again == before ? settled + 1 : 0;
            before = again;
        }

        var random = new Random(20191105);
        var statuses = new SortedDictionary<int, int>();
        var accepted = new List<string>();
        var serverErrors = new List<string>();
        var unanswered = new List<string>();
        for (var i = 0; i < requests; i++)
        {
            var attack = Generate(random, i, programmeId, own, other, paid, finance, auditor, grantee);
            using var request = new HttpRequestMessage(attack.Method, attack.Path) { Content = attack.Body };
            if (attack.Token is not null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", attack.Token);
            }

            request.Headers.Add("Idempotency-Key", $"chaos-{i}");
            HttpResponseMessage response;
            try
            {
                response = await http.SendAsync(request);
            }
            catch (HttpRequestException ex)
            {
                // An oversize body must be answered (413 problem+json), not cut off.
                unanswered.Add($"{attack.Name}: no answer ({ex.Message})");
                continue;
            }

            using var answered = response;
            var status = (int)response.StatusCode;
            statuses[status] = statuses.GetValueOrDefault(status) + 1;
            if (status >= 500) serverErrors.Add($"{attack.Name}: {status}");
            else if (status < 400) accepted.Add($"{attack.Name}: {status}");
        }

        var after = await State(http, auditor);
        var unchanged = before.Events == after.Events && before.Figures == after.Figures;
        Console.WriteLine($"bad_input_requests={requests} bad_input_5xx={serverErrors.Count} bad_input_2xx={accepted.Count} " +
            $"bad_input_events_before={before.Events} bad_input_events_after={after.Events} bad_input_balances_unchanged={(before.Figures == after.Figures ? "yes" : "no")} " +
            $"bad_input_reconciled={(after.Reconciled ? "yes" : "no")} bad_input_unanswered={unanswered.Count}");
        Console.WriteLine("bad_input_statuses=" + string.Join(",", statuses.Select(s => $"{s.Key}:{s.Value}")));
        foreach (var line in serverErrors.Concat(unanswered).Concat(accepted).Distinct().Take(20))
        {
            Console.Error.WriteLine($"bad input: {line}");
        }

        return serverErrors.Count == 0 && unanswered.Count == 0 && accepted.Count == 0 && unchanged && after.Reconciled ? 0 : 1;
    }

    private sealed record LedgerState(long Events, string Figures, bool Reconciled);

    private static async Task<LedgerState> State(HttpClient http, string auditor)
    {
        var events = (await Json(http, "/api/audit?pageSize=1", auditor))["total"]!.GetValue<long>();
        var reconciliation = await Json(http, "/api/admin/reconciliation", auditor);
        return new LedgerState(events, reconciliation["programmes"]!.ToJsonString(), reconciliation["reconciled"]!.GetValue<bool>());
    }

    private static Attack Generate(Random random, int i, string programme, string own, string other, string paid, string finance, string auditor, string grantee)
    {
        string Pay(string grant) => $"/api/grants/{grant}/disbursements";
        static HttpContent JsonBody(string text) => new StringContent(text, Encoding.UTF8, "application/json");
        var badAmounts = new[] { "0", "-5", "1.005", "0.001", "-0.01", "1e30", "99999999999999999999999999999999", "\"ten\"", "null", "true", "[]", "{}", "\"1,50\"", "NaN", "1.7976931348623157E+308", "12.345" };
        var badDates = new[] { "\"2020-13-45\"", "\"yesterday\"", "\"\"", "12", "null", "\"2020-02-30\"", "\"0000-00-00\"", "\"2020-05-04T25:00\"" };
        var badIds = new[] { Guid.NewGuid().ToString(), "not-a-guid", "..%2F..%2Fetc%2Fpasswd", "00000000-0000-0000-0000-000000000000", "%00", "1' or '1'='1" };

        return (i % 22) switch
        {
            0 => new("amount", HttpMethod.Post, Pay(own), JsonBody($$"""{"amount":{{badAmounts[random.Next(badAmounts.Length)]}},"valueDate":"2020-05-04","reference":"X"}"""), finance),
            1 => new("value date", HttpMethod.Post, Pay(own), JsonBody($$"""{"amount":10.00,"valueDate":{{badDates[random.Next(badDates.Length)]}},"reference":"X"}"""), finance),
            2 => new("unknown grant", HttpMethod.Post, Pay(badIds[random.Next(badIds.Length)]), JsonBody("""{"amount":10.00,"valueDate":"2020-05-04","reference":"X"}"""), finance),
            3 => new("not json", HttpMethod.Post, Pay(own), new StringContent(RandomText(random, 200), Encoding.UTF8, random.Next(2) == 0 ? "application/json" : "text/plain"), finance),
            4 => new("deep nesting", HttpMethod.Post, Pay(own), JsonBody(new string('[', 5000) + new string(']', 5000)), finance),
            5 => new("oversized", HttpMethod.Post, Pay(own), JsonBody($$"""{"amount":10.00,"valueDate":"2020-05-04","reference":"{{new string('R', 2_000_000)}}"}"""), finance),
            6 => new("auditor pays", HttpMethod.Post, Pay(own), JsonBody("""{"amount":10.00,"valueDate":"2020-05-04","reference":"X"}"""), auditor),
            7 => new("grantee pays itself", HttpMethod.Post, Pay(own), JsonBody("""{"amount":10.00,"valueDate":"2020-05-04","reference":"X"}"""), grantee),
            8 => new("another grantee's grant", HttpMethod.Get, $"/api/grants/{other}", null, grantee),
            9 => new("no credentials", HttpMethod.Post, Pay(own), JsonBody("""{"amount":10.00,"valueDate":"2020-05-04","reference":"X"}"""), null),
            10 => new("forged token", HttpMethod.Post, Pay(own), JsonBody("""{"amount":10.00,"valueDate":"2020-05-04","reference":"X"}"""), finance[..^4] + "AAAA"),
            11 => new("overspend", HttpMethod.Post, Pay(own), JsonBody("""{"amount":9999999.00,"valueDate":"2020-05-04","reference":"X"}"""), finance),
            12 => new("stale version", HttpMethod.Post, Pay(own), JsonBody($$"""{"amount":10.00,"valueDate":"2020-05-04","reference":"X","expectedVersion":{{random.Next(-5, 2)}}}"""), finance),
            13 => new("reverse unknown", HttpMethod.Post, $"/api/grants/{other}/disbursements/{Guid.NewGuid()}/reversal", JsonBody("""{"reason":"chaos"}"""), finance),
            14 => new("reverse without reason", HttpMethod.Post, $"/api/grants/{other}/disbursements/{paid}/reversal", JsonBody(random.Next(2) == 0 ? """{"reason":""}""" : "{}"), finance),
            15 => new("award beyond allocation", HttpMethod.Post, $"/api/programmes/{programme}/grants",
                JsonBody("""{"grantee":"Chaos","countries":["KG"],"title":"Chaos","amount":5000000.00,"windowStart":"2020-04-01","windowEnd":"2021-09-30"}"""), finance),
            16 => new("reason over its cap", HttpMethod.Post, $"/api/grants/{other}/disbursements/{paid}/reversal",
                JsonBody($$"""{"reason":"{{new string('r', random.Next(2_001, 500_000))}}"}"""), finance),
            17 => new("entries over their cap", HttpMethod.Post, Report(own), JsonBody(ReportJson(random.Next(501, 3_000), "Corrals")), grantee),
            18 => new("json body over 1 MB", HttpMethod.Post, Report(own), JsonBody(ReportJson(1, new string('d', random.Next(1_100_000, 5_000_000)))), grantee),
            19 => new("chunked body over 1 MB", HttpMethod.Post, Report(own), Chunked(ReportJson(1, new string('d', 2_000_000))), grantee),
            20 when i / 22 % 10 == 0 => new("report pdf over 20 MB", HttpMethod.Post, "/api/reports/verification", OversizePdf(), auditor),
            20 => new("csv rows over their cap", HttpMethod.Post, Report(own) + "?periodStart=2020-04-01&periodEnd=2020-12-31",
                new StringContent("budgetLine,date,description,amount,currency\n" + string.Concat(Enumerable.Repeat("C1,2020-05-01,Corrals,1,KGS\n", 5_001)),
                    Encoding.UTF8, "text/csv"), grantee),
            _ => new("form fields over their cap", HttpMethod.Post, $"/api/grants/{own}/milestones/{Guid.NewGuid()}/submission", ManyFields(1_100), grantee),
        };
    }

    private static string Report(string grant) => $"/api/grants/{grant}/expenditure-reports";

    private static string ReportJson(int entries, string description) =>
        new JsonObject
        {
            ["periodStart"] = "2020-04-01",
            ["periodEnd"] = "2020-12-31",
            ["entries"] = new JsonArray([.. Enumerable.Range(0, entries).Select(_ => (JsonNode)new JsonObject
            {
                ["budgetLineCode"] = "C1", ["date"] = "2020-05-01", ["description"] = description, ["amount"] = 1.00m, ["currency"] = "KGS",
            })]),
        }.ToJsonString();

    /// <summary>A body sent chunked (no Content-Length), so only counting the bytes as they arrive can stop it.</summary>
    private static HttpContent Chunked(string json)
    {
        var content = new StreamContent(new UnknownLength(Encoding.UTF8.GetBytes(json)));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    private static MultipartFormDataContent OversizePdf()
    {
        var pdf = new byte[21 * 1024 * 1024];
        "%PDF-1.4\n"u8.CopyTo(pdf);
        return new MultipartFormDataContent { { new ByteArrayContent(pdf), "file", "report.pdf" } };
    }

    private static MultipartFormDataContent ManyFields(int count)
    {
        var form = new MultipartFormDataContent();
        for (var f = 0; f < count; f++)
        {
            form.Add(new StringContent("x"), $"field{f}");
        }

        return form;
    }

    private sealed class UnknownLength(byte[] content) : MemoryStream(content)
    {
        public override bool CanSeek => false;
    }

    private static string RandomText(Random random, int length)
    {
        const string alphabet = "{}[]\":,0123456789abcxyz-. \\\u0000\u00e9\u0416";
        return new string(Enumerable.Range(0, length).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray());
    }

    private static async Task<JsonNode> Json(HttpClient http, string path, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }
}
