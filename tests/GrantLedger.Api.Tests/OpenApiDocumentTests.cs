using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using GrantLedger.Api.Configuration;
using GrantLedger.Api.Http;

namespace GrantLedger.Api.Tests;

/// <summary>
/// Lints the served /openapi/v1.json for what a generated client relies on: who may call, what each call answers, the
/// problem codes, the headers. The same document goes through Redocly's recommended rules.
/// </summary>
[Collection(LedgerCollection.Name)]
public sealed partial class OpenApiDocumentTests(LedgerHost host) : FromStartOfTime(host.Clock)
{
    private static readonly string[] Methods = ["get", "put", "post", "delete", "patch"];

    /// <summary>The operations anyone may call (the sign-in page and the document itself are not in the document).</summary>
    private static readonly string[] Anonymous = ["POST /api/auth/token", "GET /health", "GET /health/live", "GET /health/ready"];

    private async Task<JsonNode> Document()
    {
        var reply = await host.Get("/openapi/v1.json", user: null);
        Assert.Equal(200, reply.Status);
        return reply.Json;
    }

    private static IEnumerable<(string Key, JsonObject Operation)> Operations(JsonNode document) =>
        document["paths"]!.AsObject().SelectMany(path => path.Value!.AsObject()
            .Where(o => Methods.Contains(o.Key))
            .Select(o => ($"{o.Key.ToUpperInvariant()} {path.Key}", o.Value!.AsObject())));

    private static IEnumerable<(int Status, JsonObject Response)> Responses(JsonObject operation) =>
        operation["responses"]!.AsObject().Select(r => (int.Parse(r.Key, System.Globalization.CultureInfo.InvariantCulture), r.Value!.AsObject()));

    [Fact]
    public async Task every_served_operation_is_in_the_contract_and_every_contract_entry_is_served()
    {
        var served = Operations(await Document()).Select(o => o.Key).ToHashSet();

        Assert.Empty(served.Except(ApiContract.Operations.Keys));
        Assert.Empty(ApiContract.Operations.Keys.Except(served));
    }

    [Fact]
    public async Task every_operation_requires_the_bearer_token_unless_it_is_explicitly_anonymous()
    {
        var document = await Document();
        var bearer = document["components"]!["securitySchemes"]!["bearer"]!;
        Assert.Equal("http", bearer["type"]!.GetValue<string>());
        Assert.Equal("bearer", bearer["scheme"]!.GetValue<string>());
        Assert.Contains("/api/auth/token", bearer["description"]!.GetValue<string>());

        foreach (var (key, operation) in Operations(document))
        {
            var security = operation["security"]?.AsArray();
            Assert.True(security is not null, $"{key} says nothing about security");
            if (Anonymous.Contains(key))
            {
                Assert.True(security.Count == 0, $"{key} is anonymous but requires {security.ToJsonString()}");
                Assert.DoesNotContain(Responses(operation), r => r.Status == 403);
            }
            else
            {
                Assert.True(security.Count == 1 && security[0]!.AsObject().ContainsKey("bearer"), $"{key}: {security.ToJsonString()}");
                Assert.Contains(Responses(operation), r => r.Status == 401);
            }
        }
    }

    [Fact]
    public async Task every_operation_declares_one_success_and_its_problems_as_problem_json_with_their_codes()
    {
        var document = await Document();
        var problem = document["components"]!["schemas"]![OpenApiConfiguration.ProblemSchema]!;
        Assert.Contains("code", problem["required"]!.AsArray().Select(r => r!.GetValue<string>()));
        Assert.NotNull(problem["properties"]!["errors"]);
        Assert.NotNull(document["components"]!["schemas"]![OpenApiConfiguration.ValidationProblemSchema]!["properties"]!["errors"]);

        foreach (var (key, operation) in Operations(document))
        {
            var contract = ApiContract.Operations[key];
            var responses = Responses(operation).ToList();
            Assert.Equal([contract.Success.Status], responses.Where(r => r.Status < 300).Select(r => r.Status));
            var success = responses.Single(r => r.Status < 300).Response;
            Assert.True(success["content"]?[contract.Success.MediaType]?["schema"] is not null, $"{key}: no {contract.Success.MediaType} schema");

            foreach (var (status, response) in responses.Where(r => r.Status >= 400))
            {
                var content = response["content"]!.AsObject();
                Assert.True(content.Count == 1 && content.ContainsKey("application/problem+json"), $"{key} {status}: {content.ToJsonString()}");
                Assert.EndsWith(status == 400 ? "/ValidationProblemDetails" : "/ProblemDetails",
                    content["application/problem+json"]!["schema"]!["$ref"]!.GetValue<string>());
                var codes = response[OpenApiConfiguration.ProblemCodesExtension]!.AsArray().Select(c => c!.GetValue<string>()).ToList();
                Assert.NotEmpty(codes);
                Assert.All(codes, code => Assert.Contains($"`{code}`", response["description"]!.GetValue<string>()));
            }

            // What the framework would have added by itself: a 200 beside a 201, a 404 on a list, an IResult body.
            Assert.DoesNotContain("IResult", operation.ToJsonString());
        }
    }

    [Fact]
    public async Task creations_declare_201_with_a_location_and_never_200()
    {
        foreach (var (key, operation) in Operations(await Document()).Where(o => ApiContract.Operations[o.Key].Success.Status == 201))
        {
            var responses = Responses(operation).ToDictionary(r => r.Status, r => r.Response);
            Assert.False(responses.ContainsKey(200), $"{key} declares 200 but answers 201");
            Assert.True(responses[201]["headers"]?["Location"] is not null, $"{key}: 201 without Location");
        }

        var disbursement = Operations(await Document()).Single(o => o.Key == "POST /api/grants/{grantId}/disbursements").Operation;
        Assert.Equal([201, 400, 401, 403, 404, 409, 413, 415, 422], Responses(disbursement).Select(r => r.Status).Order());
    }

    [Fact]
    public async Task every_problem_code_is_one_docs_api_md_lists_with_that_status()
    {
        var documented = DocumentedCodes();
        foreach (var (key, operation) in Operations(await Document()))
        {
            foreach (var (status, response) in Responses(operation).Where(r => r.Status >= 400))
            {
                foreach (var code in response[OpenApiConfiguration.ProblemCodesExtension]!.AsArray().Select(c => c!.GetValue<string>()))
                {
                    Assert.True(documented.TryGetValue(code, out var statuses) && statuses.Contains(status),
                        $"{key} {status} declares `{code}`, which docs/api.md lists as {(statuses is null ? "nothing" : string.Join('/', statuses))}");
                }
            }
        }
    }

    [Fact]
    public async Task every_text_and_list_a_request_body_carries_declares_its_cap()
    {
        var document = await Document();
        var schemas = document["components"]!["schemas"]!.AsObject();
        JsonObject Resolve(JsonNode node) =>
            node["$ref"]?.GetValue<string>() is { } reference ? schemas[reference.Split('/').Last()]!.AsObject() : node.AsObject();

        var uncapped = new SortedSet<string>();
        var seen = new HashSet<string>();
        void Walk(JsonNode node, string path)
        {
            if (node["$ref"]?.GetValue<string>() is { } reference && !seen.Add(reference))
            {
                return;
            }

            var schema = Resolve(node);
            foreach (var alternative in new[] { "oneOf", "anyOf", "allOf" }.SelectMany(k => schema[k]?.AsArray() ?? []))
            {
                Walk(alternative!, path);
            }

            var type = schema["type"]?.ToJsonString() ?? "";
            if (type.Contains("\"array\"") )
            {
                if (schema["maxItems"] is null)
                {
                    uncapped.Add(path + " (list)");
                }

                Walk(schema["items"]!, path + "[]");
            }
            else if (type.Contains("\"string\"") && schema["enum"] is null && schema["pattern"] is null &&
                     schema["format"]?.GetValue<string>() is not ("date" or "date-time" or "uuid") && schema["maxLength"] is null)
            {
                uncapped.Add(path);
            }

            foreach (var (name, property) in schema["properties"]?.AsObject() ?? [])
            {
                Walk(property!, $"{path}.{name}");
            }
        }

        foreach (var (key, operation) in Operations(document))
        {
            if (operation["requestBody"]?["content"]?[ApiContract.Json]?["schema"] is { } body)
            {
                seen.Clear();
                Walk(body, key);
            }
        }

        Assert.Empty(uncapped);
    }

    [Fact]
    public async Task recording_a_payment_declares_the_idempotency_key_and_its_replay()
    {
        var operation = Operations(await Document()).Single(o => o.Key == "POST /api/grants/{grantId}/disbursements").Operation;

        var key = operation["parameters"]!.AsArray().Single(p => p!["name"]?.GetValue<string>() == "Idempotency-Key")!;
        Assert.Equal("header", key["in"]!.GetValue<string>());
        Assert.True(key["required"]!.GetValue<bool>());
        Assert.Equal(200, key["schema"]!["maxLength"]!.GetValue<int>());
        Assert.NotNull(operation["responses"]!["201"]!["headers"]!["Idempotent-Replayed"]);
        Assert.Contains("idempotency-key-reused", operation["responses"]!["422"]![OpenApiConfiguration.ProblemCodesExtension]!.ToJsonString());
    }

    [Fact]
    public async Task every_operation_takes_an_optional_correlation_id_and_echoes_it()
    {
        var document = await Document();
        var parameter = document["components"]!["parameters"]!["X-Correlation-Id"]!;
        Assert.Equal("header", parameter["in"]!.GetValue<string>());
        Assert.False(parameter["required"]?.GetValue<bool>() ?? false);

        foreach (var (key, operation) in Operations(document))
        {
            Assert.Contains(operation["parameters"]!.AsArray(), p => p!["$ref"]?.GetValue<string>() == "#/components/parameters/X-Correlation-Id");
            Assert.All(Responses(operation), r => Assert.True(r.Response["headers"]?["X-Correlation-Id"] is not null, $"{key} {r.Status}"));
        }
    }

    [Fact]
    public async Task dates_instants_and_amounts_are_typed_for_clients()
    {
        var schemas = (await Document())["components"]!["schemas"]!;

        Assert.Equal("date", schemas["LocalDate"]!["format"]!.GetValue<string>());
        Assert.Equal("date-time", schemas["Instant"]!["format"]!.GetValue<string>());
        Assert.Equal("decimal", schemas["RecordDisbursementRequest"]!["properties"]!["amount"]!["format"]!.GetValue<string>());
        Assert.NotNull(schemas["ExpenditureReportView"]);
        Assert.NotNull(schemas["ReportView"]!["properties"]!["progress"]);
    }

    /// <summary>
    /// A 415 unsupported-media-type the document promises is one the endpoint sends: a text body, as the first user the endpoint lets in
    /// (the media type is checked before anything is looked up, so unknown ids do not matter).
    /// </summary>
    [Fact]
    public async Task every_operation_that_declares_415_answers_a_text_body_with_it()
    {
        string?[] users = ["approver", await host.GranteeUser("Media Type Trust"), "admin", null];
        var declaring = Operations(await Document()).Where(o => Responses(o.Operation).Any(r => r.Status == 415 &&
            r.Response[OpenApiConfiguration.ProblemCodesExtension]!.ToJsonString().Contains("\"unsupported-media-type\"", StringComparison.Ordinal))).ToList();
        Assert.NotEmpty(declaring);

        foreach (var (key, _) in declaring)
        {
            var (method, route) = (key.Split(' ')[0], key.Split(' ')[1]);
            var url = RouteValue().Replace(route, _ => Guid.NewGuid().ToString());
            Reply? reply = null;
            foreach (var user in users)
            {
                reply = await host.Send(new HttpMethod(method), url, user: user,
                    content: new StringContent("amount=10", System.Text.Encoding.UTF8, "text/plain"),
                    headers: new Dictionary<string, string> { ["Idempotency-Key"] = Guid.NewGuid().ToString() });
                if (reply.Status is not (401 or 403))
                {
                    break;
                }
            }

            Assert.True(reply is { Status: 415, ContentType: "application/problem+json" }, $"{key}: {reply}");
        }
    }

    [GeneratedRegex(@"\{[A-Za-z]+\}")]
    private static partial Regex RouteValue();

    /// <summary>Redocly CLI's recommended rules (installed under .data/tools with npm; runs offline). Warnings are allowed.</summary>
    [Fact]
    public async Task the_served_document_passes_redocly_recommended_rules()
    {
        var redocly = await Tools.Redocly();
        var folder = Directory.CreateTempSubdirectory("grantledger-openapi-lint-").FullName;
        try
        {
            var file = Path.Combine(folder, "openapi.json");
            await File.WriteAllTextAsync(file, (await Document()).ToJsonString());

            // Run in an empty folder, so no redocly.yaml nearby changes the rules.
            var (_, output) = await Tools.Run(redocly, ["lint", file, "--format=json"], folder, Tools.RedoclyEnvironment);

            var report = JsonNode.Parse(output[..(output.LastIndexOf('}') + 1)])!;
            var errors = report["problems"]!.AsArray().Where(p => p!["severity"]!.GetValue<string>() == "error")
                .Select(p => $"{p!["ruleId"]}: {p["message"]} at {p["location"]?[0]?["pointer"]}").ToList();
            Assert.True(errors.Count == 0, string.Join('\n', errors));
            Assert.Equal(0, report["totals"]!["errors"]!.GetValue<int>());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>docs/api.md's table of codes: <c>| `code` | 404 / 422 | when |</c>.</summary>
    private static Dictionary<string, int[]> DocumentedCodes()
    {
        var lines = File.ReadAllLines(Path.Combine(Tools.RepositoryRoot, "docs", "api.md"));
        var codes = lines.Select(l => CodeRow().Match(l)).Where(m => m.Success).ToDictionary(
            m => m.Groups["code"].Value,
            m => m.Groups["statuses"].Value.Split('/', StringSplitOptions.TrimEntries).Select(s => int.Parse(s, System.Globalization.CultureInfo.InvariantCulture)).ToArray());
        Assert.True(codes.Count > 40, "docs/api.md has no table of problem codes");
        return codes;
    }

    [GeneratedRegex(@"^\| `(?<code>[a-z-]+)` \| (?<statuses>[0-9]{3}( / [0-9]{3})*) \|")]
    private static partial Regex CodeRow();
}
