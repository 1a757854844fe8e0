using GrantLedger.Api.Milestones;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;

namespace GrantLedger.Api.Http;

/// <summary>A request beyond one of the <see cref="InputLimits"/>: answered <c>413</c> with <see cref="Code"/>, never read further.</summary>
public sealed class InputLimitExceededException(string code, string detail) : BadHttpRequestException(detail, StatusCodes.Status413PayloadTooLarge)
{
    public string Code { get; } = code;
}

/// <summary>
/// How large a body each endpoint accepts (<see cref="InputLimits"/>): a JSON command 1 MB; a CSV import 4 MB; evidence the
/// per-file cap times the file count; a report PDF for verification 20 MB. The body is counted here as the application reads
/// it, so the limit holds under any server (the test server enforces none) and for chunked bodies without a
/// <c>Content-Length</c>. A declared length beyond the cap is refused before a byte is read.
/// </summary>
public static partial class RequestBodyLimits
{
    [System.Text.RegularExpressions.GeneratedRegex(@"\{(\w+)(:[^}]*)?\}")]
    private static partial System.Text.RegularExpressions.Regex RouteConstraint();

    private enum Accepts { Csv, Evidence, Verification }

    /// <summary>The endpoints that take more than JSON, by <c>METHOD /route</c> as in <see cref="ApiContract"/>.</summary>
    private static readonly Dictionary<string, Accepts[]> Larger = new()
    {
        ["POST /api/grants/{grantId}/milestones/{milestoneId}/submission"] = [Accepts.Evidence],
        ["POST /api/grants/{grantId}/expenditure-reports"] = [Accepts.Evidence, Accepts.Csv],
        ["POST /api/grants/{grantId}/payment-requests"] = [Accepts.Evidence],
        ["PUT /api/fx-rates"] = [Accepts.Csv],
        ["POST /api/reports/verification"] = [Accepts.Verification],
    };

    /// <summary>Multipart evidence: every file at its cap, plus the form around them.</summary>
    public static long EvidenceBody(MilestoneOptions options) =>
        options.MaxEvidenceFileBytes * Math.Max(options.MaxFilesPerSubmission, 1) + InputLimits.MultipartOverhead;

    /// <summary>The cap for this request: by its endpoint and the kind of body it sends.</summary>
    public static long CapFor(HttpContext context)
    {
        var request = context.Request;
        var endpoint = context.GetEndpoint();
        var multipart = request.ContentType?.StartsWith("multipart/form-data", StringComparison.OrdinalIgnoreCase) == true;
        var csv = request.ContentType?.StartsWith("text/csv", StringComparison.OrdinalIgnoreCase) == true;
        var evidence = EvidenceBody(context.RequestServices.GetRequiredService<IOptions<MilestoneOptions>>().Value);
        if (endpoint?.Metadata.GetMetadata<PageActionDescriptor>() is not null || endpoint?.Metadata.GetMetadata<CompiledPageActionDescriptor>() is not null)
        {
            // The pages' uploads (evidence, CSV, a report PDF) each bound what they read themselves.
            return multipart ? evidence : InputLimits.JsonBody;
        }

        var accepts = endpoint is RouteEndpoint route &&
            Larger.TryGetValue($"{request.Method} /{RouteConstraint().Replace(route.RoutePattern.RawText ?? "", "{$1}").TrimStart('/')}", out var kinds)
            ? kinds
            : [];
        return (multipart, csv) switch
        {
            (true, _) when accepts.Contains(Accepts.Verification) => InputLimits.VerificationBody,
            (true, _) when accepts.Contains(Accepts.Evidence) => evidence,
            (_, true) when accepts.Contains(Accepts.Csv) => InputLimits.CsvBody,
            _ => InputLimits.JsonBody,
        };
    }

    public static IApplicationBuilder UseRequestBodyLimits(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var cap = CapFor(context);
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } server)
        {
            // The counting stream below holds the cap for everything the application reads. Kestrel's own limit (the JSON cap,
            // for anything that might bypass it) is lifted so that, once refused, the rest of an oversize body is drained (for
            // at most Kestrel's five-second drain timeout, into nothing) rather than the connection being cut: a client still
            // sending then reads its 413 instead of a reset.
            server.MaxRequestBodySize = null;
        }

        if (context.Request.ContentLength > cap)
        {
            await Problems.Create(StatusCodes.Status413PayloadTooLarge, "payload-too-large", "The request is too large",
                TooLarge(context, cap)).ExecuteAsync(context);
            return;
        }

        if (context.Request.ContentLength is not 0)
        {
            context.Request.Body = new BoundedStream(context.Request.Body, cap, () => TooLarge(context, cap));
        }

        await next(context);
    });

    private static string TooLarge(HttpContext context, long cap) =>
        $"The body is larger than the {InputLimits.Show(cap)} that {context.Request.Method} {context.Request.Path} accepts (docs/api.md, Limits).";

    /// <summary>Reads through to the body and throws <see cref="InputLimitExceededException"/> once more than the cap has come.</summary>
    private sealed class BoundedStream(Stream inner, long cap, Func<string> describe) : Stream
    {
        private long _read;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _read; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));
        public override int Read(Span<byte> buffer) => Count(inner.Read(buffer));

        public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            Count(await inner.ReadAsync(buffer.AsMemory(offset, count), cancellationToken));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Count(await inner.ReadAsync(buffer, cancellationToken));

        private int Count(int read)
        {
            _read += read;
            return _read > cap ? throw new InputLimitExceededException("payload-too-large", describe()) : read;
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            // The server owns the request stream.
        }
    }
}
