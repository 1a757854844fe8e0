using System.Reflection;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace GrantLedger.Api.Tests;

/// <summary>
/// Generates a C# client from the served /openapi/v1.json with Kiota (installed under .data/tools), compiles it with
/// Roslyn in this process together with GeneratedClient/Payments.cs, and pays through it. The client only knows what
/// the document declares: the bearer scheme, the 201 body, the 422 problem and its code, the Idempotency-Key header.
/// </summary>
[Collection(LedgerCollection.Name)]
public sealed class GeneratedClientTests(LedgerHost host) : FromStartOfTime(host.Clock)
{
    private readonly Ledger _ledger = new(host);

    [Fact]
    public async Task a_client_generated_from_the_document_pays_is_refused_and_retries_without_paying_twice()
    {
        var grantId = await _ledger.GrantOf(1_000m);
        var recorder = new Recorder { InnerHandler = host.Host.Server.CreateHandler() };
        using var http = new HttpClient(recorder) { BaseAddress = new Uri("http://localhost/") };
        var context = new AssemblyLoadContext("grantledger-generated-client", isCollectible: true);
        try
        {
            var payments = (await CompiledClient(context)).GetType("GrantLedger.ClientScenario.Payments", throwOnError: true)!;
            var token = await Call<string>(payments, "SignIn", http, LedgerHost.Staff["finance"].Email, LedgerHost.Password);
            var key = "client-" + Guid.NewGuid().ToString("N");

            var paid = await Call<(Guid? Id, string? Status, long? Version, int? ProblemStatus, string? Code)>(
                payments, "Pay", http, token, grantId, 400.00m, new DateTime(2020, 5, 4), key);
            var payment = recorder.Last;
            var refused = await Call<(Guid? Id, string? Status, long? Version, int? ProblemStatus, string? Code)>(
                payments, "Pay", http, token, grantId, 700.00m, new DateTime(2020, 5, 4), "client-" + Guid.NewGuid().ToString("N"));
            var retried = await Call<(Guid? Id, string? Status, long? Version, int? ProblemStatus, string? Code)>(
                payments, "Pay", http, token, grantId, 400.00m, new DateTime(2020, 5, 4), key);
            var retry = recorder.Last;
            var grant = await Call<(decimal? Disbursed, decimal? Remaining, int Payments)>(payments, "Grant", http, token, grantId);

            Assert.NotNull(paid.Id);
            Assert.Equal("recorded", paid.Status);
            Assert.Equal(201, payment.Status);
            Assert.Equal($"/api/grants/{grantId}/disbursements/{paid.Id}", payment.Headers["Location"]);
            Assert.Equal((null, null, null, 422, "grant-exceeded"), refused);
            Assert.Equal(paid, retried);
            Assert.Equal(201, retry.Status);
            Assert.Equal("true", retry.Headers["Idempotent-Replayed"]);
            Assert.Equal((400.00m, 600.00m, 1), grant);
        }
        finally
        {
            context.Unload();
        }
    }

    /// <summary>Kiota's output for the served document plus the scenario, compiled into <paramref name="context"/>.</summary>
    private async Task<Assembly> CompiledClient(AssemblyLoadContext context)
    {
        var folder = Directory.CreateTempSubdirectory("grantledger-client-").FullName;
        try
        {
            var document = Path.Combine(folder, "openapi.json");
            var reply = await host.Get("/openapi/v1.json", user: null);
            Assert.Equal(200, reply.Status);
            await File.WriteAllTextAsync(document, reply.Json.ToJsonString());

            var output = Path.Combine(folder, "client");
            var (exit, log) = await Tools.Run(await Tools.Kiota(), Tools.KiotaGenerate(document, output), folder, Tools.KiotaEnvironment);
            Assert.True(exit == 0, log);

            var parse = new CSharpParseOptions(LanguageVersion.Latest, preprocessorSymbols: ["NET", "NETCOREAPP3_1_OR_GREATER", "NET5_0_OR_GREATER"]);
            var sources = Directory.GetFiles(output, "*.cs", SearchOption.AllDirectories)
                .Append(Path.Combine(AppContext.BaseDirectory, "GeneratedClient", "Payments.cs"))
                .Select(file => CSharpSyntaxTree.ParseText(File.ReadAllText(file), parse, file));
            var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
                .Select(path => MetadataReference.CreateFromFile(path));
            var compilation = CSharpCompilation.Create("GrantLedger.Client", sources, references,
                new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

            using var assembly = new MemoryStream();
            var emitted = compilation.Emit(assembly);
            var errors = emitted.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Take(20).Select(d => d.ToString()).ToList();
            Assert.True(emitted.Success, "The generated client does not compile:\n" + string.Join('\n', errors));
            assembly.Position = 0;
            return context.LoadFromStream(assembly);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<T> Call<T>(Type scenario, string method, params object?[] arguments)
    {
        var task = (Task)scenario.GetMethod(method, BindingFlags.Public | BindingFlags.Static)!.Invoke(null, arguments)!;
        await task;
        return (T)task.GetType().GetProperty(nameof(Task<T>.Result))!.GetValue(task)!;
    }

    /// <summary>What the server answered, which a generated client does not show for a success.</summary>
    private sealed class Recorder : DelegatingHandler
    {
        public (int Status, IReadOnlyDictionary<string, string> Headers) Last { get; private set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            Last = ((int)response.StatusCode, response.Headers.ToDictionary(h => h.Key, h => string.Join(",", h.Value)));
            return response;
        }
    }
}
