using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace GrantLedger.Benchmarks;

/// <summary>
/// scripts/chaos.sh, scenario "restore": a backup (pg_dump) restored into an empty database must be the same ledger.
/// Before the dump the original app generates a report and notes the audit chain's head and every balance; after the
/// restore the restored app must show the same head, the same balances and events, reconcile, and verify the report.
/// </summary>
public static class RestoreScenario
{
    /// <summary>On the original: a programme report as of now, then the figures to compare, into <paramref name="stateDirectory"/>.</summary>
    public static async Task<int> Before(Uri original, string password, string stateDirectory)
    {
        using var http = await ApiCalls.SignedIn(original, "auditor@audit.example", password, TimeSpan.FromSeconds(60));
        var programme = (await ApiCalls.Json(http, "/api/programmes")).AsArray().First(p => p!["code"]!.GetValue<string>() == "SOS-CA-1")!;
        using var requested = await http.PostAsJsonAsync("/api/reports", new { kind = "programme-financial", programmeId = programme["id"]!.GetValue<string>() });
        requested.EnsureSuccessStatusCode();
        var reportId = (await requested.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while ((await ApiCalls.Json(http, $"/api/reports/{reportId}"))["status"]!.GetValue<string>() != "ready")
        {
            if (waited.Elapsed > TimeSpan.FromMinutes(2))
            {
                throw new TimeoutException($"report {reportId} was not ready in 2 minutes");
            }

            await Task.Delay(200);
        }

        // The report's own record (ReportGenerated) is an event too: wait until the audit chain covers it.
        waited.Restart();
        while ((await ApiCalls.Json(http, "/api/audit/verification"))["pendingEvents"]!.GetValue<long>() > 0)
        {
            if (waited.Elapsed > TimeSpan.FromMinutes(2))
            {
                throw new TimeoutException("the audit chain did not cover every event in 2 minutes");
            }

            await Task.Delay(100);
        }

        await File.WriteAllBytesAsync(Path.Combine(stateDirectory, "report.pdf"), await http.GetByteArrayAsync($"/api/reports/{reportId}/pdf"));
        await File.WriteAllTextAsync(Path.Combine(stateDirectory, "ledger.json"), (await Ledger(http)).ToJsonString());
        Console.WriteLine($"restore_report={reportId}");
        return 0;
    }

    /// <summary>On the restored app: the same ledger, reconciled, and the report generated before the backup verifies.</summary>
    public static async Task<int> After(Uri restored, string password, string stateDirectory)
    {
        using var http = await ApiCalls.SignedIn(restored, "auditor@audit.example", password, TimeSpan.FromSeconds(60));
        var before = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(stateDirectory, "ledger.json")))!;
        var after = await Ledger(http);
        var sameHead = JsonNode.DeepEquals(before["chain"], after["chain"]);
        var sameBalances = JsonNode.DeepEquals(before["programmes"], after["programmes"]);
        var sameEvents = JsonNode.DeepEquals(before["events"], after["events"]);
        var reconciled = (await ApiCalls.Json(http, "/api/admin/reconciliation"))["reconciled"]!.GetValue<bool>();

        using var form = new MultipartFormDataContent();
        var pdf = new ByteArrayContent(await File.ReadAllBytesAsync(Path.Combine(stateDirectory, "report.pdf")));
        pdf.Headers.ContentType = new MediaTypeHeaderValue("application/pdf");
        form.Add(pdf, "file", "report.pdf");
        using var verifying = await http.PostAsync("/api/reports/verification", form);
        var verification = JsonNode.Parse(await verifying.Content.ReadAsStringAsync())!;
        var reportVerifies = verifying.IsSuccessStatusCode && verification["genuine"]!.GetValue<bool>();

        string Flag(bool b) => b ? "yes" : "no";
        Console.WriteLine($"restore_events={after["events"]} restore_chain_head={after["chain"]!["headSequence"]} " +
            $"restore_chain_valid={Flag(after["chain"]!["valid"]!.GetValue<bool>())} restore_same_head={Flag(sameHead)} " +
            $"restore_same_balances={Flag(sameBalances)} restore_same_events={Flag(sameEvents)} restore_reconciled={Flag(reconciled)} " +
            $"restore_report_verifies={Flag(reportVerifies)}");
        return sameHead && sameBalances && sameEvents && reconciled && reportVerifies && after["chain"]!["valid"]!.GetValue<bool>() ? 0 : 1;
    }

    /// <summary>What a restore must keep: the audit chain's head, every programme's balances, and the number of events.</summary>
    private static async Task<JsonObject> Ledger(HttpClient http)
    {
        var chain = await ApiCalls.Json(http, "/api/audit/verification");
        return new JsonObject
        {
            ["chain"] = new JsonObject
            {
                ["valid"] = chain["valid"]!.GetValue<bool>(),
                ["headSequence"] = chain["headSequence"]?.GetValue<long>(),
                ["headLink"] = chain["headLink"]!.GetValue<string>(),
            },
            ["programmes"] = (await ApiCalls.Json(http, "/api/programmes")).DeepClone(),
            ["events"] = (await ApiCalls.Json(http, "/api/audit?pageSize=1"))["total"]!.GetValue<long>(),
        };
    }
}
