using GrantLedger.Reports.Models;
using Marten;
using NodaTime;
using Npgsql;
using NpgsqlTypes;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace GrantLedger.Api.Reports;

public enum ReportStatus
{
    Queued,
    Running,
    Ready,
    Failed,
}

/// <summary>A requested report and how far its generation has come (a Marten document, updated as it runs).</summary>
public sealed record ReportJob(
    Guid Id,
    ReportKind Kind,
    Guid? ProgrammeId,
    Guid? GrantId,
    Instant? From,
    Instant? To,
    Instant AsOf,
    ReportStatus Status,
    int Progress,
    string RequestedBy,
    string RequestedByUserId,
    string RequestedByRole,
    string? Grantee,
    Instant RequestedAt,
    string? Hash = null,
    long? Position = null,
    string? PdfSha256 = null,
    int? Pages = null,
    string? FileName = null,
    string? Error = null,
    string? Language = null,
    Guid? OrganisationId = null);

/// <summary>
/// A report was generated: who asked, which report, as of when, from which position, with which fingerprint. This event,
/// chained by the audit chain, is the record verification trusts (not the <see cref="ReportJob"/> document). An
/// audit-trail report's period (<paramref name="From"/>, <paramref name="To"/>) is recorded too, so its figures can be
/// rebuilt from the event alone; events recorded before that have none.
/// </summary>
/// <param name="Chain">The audit chain head signed when the report was generated (printed in it and in its metadata);
/// none for reports generated before checkpoints were signed, or on an empty ledger.</param>
/// <param name="Language">The language it was printed in (<c>en</c>, <c>ru</c>), so verification renders it again in the same one;
/// none (English) for reports generated before reports had a language.</param>
public sealed record ReportGenerated(
    Guid ReportId, ReportKind Kind, Guid? ProgrammeId, Guid? GrantId, Instant AsOf, long Position, string Hash, string PdfSha256, string RequestedBy,
    Instant? From = null, Instant? To = null, ChainSeal? Chain = null, string? Language = null);

/// <summary>What a report covers: enough to rebuild its figures from the events.</summary>
public sealed record ReportScope(ReportKind Kind, Guid? ProgrammeId, Guid? GrantId, Instant? From, Instant? To, Instant AsOf)
{
    public static ReportScope Of(ReportJob job) => new(job.Kind, job.ProgrammeId, job.GrantId, job.From, job.To, job.AsOf);

    public static ReportScope Of(ReportGenerated recorded) =>
        new(recorded.Kind, recorded.ProgrammeId, recorded.GrantId, recorded.From, recorded.To, recorded.AsOf);
}

/// <summary>Asks the background worker to generate a report (durable: survives a restart).</summary>
public sealed record GenerateReport(Guid ReportId);

/// <summary>Generated PDFs, stored in PostgreSQL next to the events they were built from.</summary>
public static class ReportFiles
{
    public const string TableName = "report_files";

    /// <summary>A generated report's PDF, or null when none is stored under its id.</summary>
    public static async Task<byte[]?> Pdf(NpgsqlDataSource dataSource, IDocumentStore store, Guid id, CancellationToken cancellation)
    {
        await using var command = dataSource.CreateCommand($"select pdf from {store.Options.Events.DatabaseSchemaName}.{TableName} where id = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = id, NpgsqlDbType = NpgsqlDbType.Uuid });
        return await command.ExecuteScalarAsync(cancellation) as byte[];
    }

    public static Table Table(string schema)
    {
        var table = new Table(new PostgresqlObjectName(schema, TableName, SchemaUtils.IdentifierUsage.General));
        table.AddColumn<Guid>("id").AsPrimaryKey();
        table.AddColumn<string>("sha256").NotNull();
        table.AddColumn("pdf", "bytea").NotNull();
        return table;
    }
}
