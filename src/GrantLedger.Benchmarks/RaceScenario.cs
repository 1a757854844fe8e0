using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace GrantLedger.Benchmarks;

/// <summary>
/// scripts/chaos.sh, scenario "two nodes": two app processes on one database; 16 clients, alternating between the
/// nodes, race to pay 10.00 EUR at a time out of a grant of 1,000.00 until the ledger refuses them all. The grant
/// must end exactly fully paid: every acknowledged payment recorded, no euro beyond the award.
/// </summary>
public static class RaceScenario
{
    private const int Clients = 16;
    private const decimal Award = 1_000.00m;
    private const decimal Payment = 10.00m;

    public static async Task<int> Run(Uri first, Uri second, string password)
    {
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        using var nodeA = new HttpClient { BaseAddress = first, Timeout = TimeSpan.FromSeconds(30) };
        using var nodeB = new HttpClient { BaseAddress = second, Timeout = TimeSpan.FromSeconds(30) };
        var token = await ApiCalls.Token(nodeA, "finance@ecaro.example", password);
        foreach (var node in new[] { nodeA, nodeB })
        {
            node.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        var programme = await ApiCalls.Created(nodeA, "/api/programmes", new
        {
            code = "RACE-" + Guid.NewGuid().ToString("N")[..6], name = "Race programme", currency = "EUR", allocation = 10_000m,
            windowStart = "2020-01-01", windowEnd = "2030-12-31", approvalThreshold = 10_000m,
        });
        var grant = await ApiCalls.Created(nodeB, $"/api/programmes/{programme}/grants", new
        {
            organisationId = await ApiCalls.Organisation(nodeA, password, "Race grantee " + Guid.NewGuid().ToString("N")[..6]), countries = new[] { "KG" }, title = "Race grant", amount = Award, windowStart = "2020-01-01", windowEnd = "2030-12-31",
        });

        var acknowledged = new ConcurrentBag<string>();
        var statuses = new ConcurrentDictionary<int, int>();
        await Task.WhenAll(Enumerable.Range(0, Clients).Select(async client =>
        {
            for (var attempt = 0; ; attempt++)
            {
                var node = (client + attempt) % 2 == 0 ? nodeA : nodeB;
                using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/grants/{grant}/disbursements")
                {
                    Content = JsonContent.Create(new { amount = Payment, valueDate = "2020-05-04", reference = $"RACE-{client}-{attempt}" }),
                };
                request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
                using var response = await node.SendAsync(request);
                var status = (int)response.StatusCode;
                statuses.AddOrUpdate(status, 1, (_, n) => n + 1);
                if (response.IsSuccessStatusCode)
                {
                    acknowledged.Add(JsonNode.Parse(await response.Content.ReadAsStringAsync())!["id"]!.GetValue<string>());
                }
                else if (status == 422)
                {
                    return; // the grant has no room left for this client
                }
                else if (status != 409)
                {
                    throw new InvalidOperationException($"Unexpected {status}: {await response.Content.ReadAsStringAsync()}");
                }
            }
        }));

        using var grantResponse = await nodeA.GetAsync($"/api/grants/{grant}");
        var details = JsonNode.Parse(await grantResponse.Content.ReadAsStringAsync())!;
        var disbursed = details["disbursed"]!.GetValue<decimal>();
        var recorded = details["disbursements"]!.AsArray().Select(d => d!["id"]!.GetValue<string>()).ToHashSet();
        using var reconciliationResponse = await nodeB.GetAsync("/api/admin/reconciliation");
        var reconciled = JsonNode.Parse(await reconciliationResponse.Content.ReadAsStringAsync())!["reconciled"]!.GetValue<bool>();
        var overspend = Math.Max(0m, disbursed - Award);
        var allRecorded = acknowledged.All(recorded.Contains) && recorded.Count == acknowledged.Count;
        Console.WriteLine($"race_clients={Clients} race_award={Award:0.00} race_disbursed={disbursed:0.00} race_overspend={overspend:0.00} " +
            $"race_acknowledged={acknowledged.Count} race_recorded={recorded.Count} race_conflicts={statuses.GetValueOrDefault(409)} " +
            $"race_refused={statuses.GetValueOrDefault(422)} race_reconciled={(reconciled ? "yes" : "no")}");
        return overspend == 0m && disbursed == Award && allRecorded && reconciled ? 0 : 1;
    }
}
