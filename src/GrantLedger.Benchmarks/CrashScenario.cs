using System.Diagnostics;
using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace GrantLedger.Benchmarks;

/// <summary>
/// scripts/chaos.sh, scenario "crash": clients pay continuously, each payment under its own idempotency key and
/// retried with that key until the ledger answers; meanwhile the script kills the app with SIGKILL and starts it
/// again (or, as "database", the database's connections are cut or PostgreSQL restarts). Afterwards every acknowledged payment must be on its grant exactly once, no payment may exist that was
/// not acknowledged (a duplicate), and the ledger must reconcile.
/// </summary>
public static class CrashScenario
{
    private const int Clients = 8;

    public static async Task<int> Run(Uri app, string password, TimeSpan storm, string label = "crash")
    {
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        using var http = new HttpClient { BaseAddress = app, Timeout = TimeSpan.FromSeconds(10) };
        var token = await ApiCalls.Token(http, "finance@ecaro.example", password);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var programme = await ApiCalls.Created(http, "/api/programmes", new
        {
            code = "CRASH-" + Guid.NewGuid().ToString("N")[..6], name = "Crash programme", currency = "EUR", allocation = 1_000_000m,
            windowStart = "2020-01-01", windowEnd = "2030-12-31", approvalThreshold = 1_000_000m,
        });
        var grants = new List<string>();
        var organisation = await ApiCalls.Organisation(http, password, "Crash grantee " + Guid.NewGuid().ToString("N")[..6]);
        for (var i = 0; i < Clients; i++)
        {
            grants.Add((await ApiCalls.Created(http, $"/api/programmes/{programme}/grants", new
            {
                organisationId = organisation, countries = new[] { "KG" }, title = $"Crash grant {i}", amount = 100_000m,
                windowStart = "2020-01-01", windowEnd = "2030-12-31",
            })).ToString());
        }

        Console.WriteLine($"{label}_ready=yes");
        var acknowledged = new ConcurrentDictionary<string, string>(); // disbursement id -> reference
        var retries = 0L;
        var elapsed = Stopwatch.StartNew();
        await Task.WhenAll(grants.Select(async grant =>
        {
            while (elapsed.Elapsed < storm)
            {
                var key = Guid.NewGuid().ToString();
                var reference = "CRASH-" + key[..8];
                for (var attempt = 0; ; attempt++)
                {
                    if (elapsed.Elapsed > storm + TimeSpan.FromSeconds(90))
                    {
                        throw new TimeoutException("The app did not come back within 90 s.");
                    }

                    var answer = await TryPay(http, grant, key, reference);
                    if (answer is { } id)
                    {
                        acknowledged[id] = reference;
                        break;
                    }

                    Interlocked.Increment(ref retries);
                    await Task.Delay(100);
                }
            }
        }));

        var recorded = new List<(string Id, string Reference)>();
        foreach (var grant in grants)
        {
            var details = await ApiCalls.Json(http, $"/api/grants/{grant}");
            recorded.AddRange(details["disbursements"]!.AsArray().Select(d => (d!["id"]!.GetValue<string>(), d["reference"]!.GetValue<string>())));
        }

        var missing = acknowledged.Keys.Count(id => recorded.All(r => r.Id != id));
        var duplicates = recorded.GroupBy(r => r.Reference).Sum(g => g.Count() - 1);
        var unacknowledged = recorded.Count(r => !acknowledged.ContainsKey(r.Id));
        var reconciliation = await ApiCalls.Json(http, "/api/admin/reconciliation");
        var reconciled = reconciliation["reconciled"]!.GetValue<bool>();
        Console.WriteLine($"{label}_acknowledged={acknowledged.Count} {label}_recorded={recorded.Count} {label}_missing={missing} {label}_duplicates={duplicates} " +
            $"{label}_unacknowledged={unacknowledged} {label}_retries={retries} {label}_reconciled={(reconciled ? "yes" : "no")}");
        return missing == 0 && duplicates == 0 && unacknowledged == 0 && reconciled && acknowledged.Count > 0 ? 0 : 1;
    }

    /// <summary>The disbursement id once the ledger has answered 2xx; null when it must be asked again.</summary>
    private static async Task<string?> TryPay(HttpClient http, string grant, string key, string reference)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/grants/{grant}/disbursements")
            {
                Content = JsonContent.Create(new { amount = 1.00m, valueDate = "2020-05-04", reference }),
            };
            request.Headers.Add("Idempotency-Key", key);
            using var response = await http.SendAsync(request);
            if ((int)response.StatusCode is >= 400 and < 500 and not 409)
            {
                throw new InvalidOperationException($"A valid payment was refused: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }

            return response.IsSuccessStatusCode ? JsonNode.Parse(await response.Content.ReadAsStringAsync())!["id"]!.GetValue<string>() : null;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }
}
