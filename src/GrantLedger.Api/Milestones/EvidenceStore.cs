using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using GrantLedger.Api.Http;
using GrantLedger.Domain.Expenditure;
using GrantLedger.Domain.Milestones;
using Marten;
using Marten.Events;
using Npgsql;
using NpgsqlTypes;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace GrantLedger.Api.Milestones;

/// <summary>
/// Evidence bytes live in PostgreSQL beside the events, in their own table (bytea, not JSON), written in the same
/// transaction as the <see cref="MilestoneSubmitted"/> event that records their SHA-256 and size.
/// </summary>
public static class EvidenceStore
{
    public const string TableName = "evidence_files";

    public static Table Table(string schema)
    {
        var table = new Table(new PostgresqlObjectName(schema, TableName, SchemaUtils.IdentifierUsage.General));
        table.AddColumn<Guid>("id").AsPrimaryKey();
        table.AddColumn<Guid>("grant_id").NotNull();
        // The milestone, or the expenditure entry, the file supports.
        table.AddColumn<Guid>("owner_id").NotNull();
        table.AddColumn<string>("file_name").NotNull();
        table.AddColumn<string>("content_type").NotNull();
        table.AddColumn<long>("size").NotNull();
        table.AddColumn<string>("sha256").NotNull();
        table.AddColumn("content", "bytea").NotNull();
        table.AddColumn("stored_at", "timestamptz").NotNull().DefaultValueByExpression("now()");
        return table;
    }

    /// <summary>Queues the insert into the session's transaction: stored if and only if the event is.</summary>
    public static void Store(IDocumentSession session, Guid grantId, Guid ownerId, EvidenceFile file, byte[] content) =>
        session.QueueSqlCommand(
            $"insert into {session.DocumentStore.Options.Events.DatabaseSchemaName}.{TableName} " +
            "(id, grant_id, owner_id, file_name, content_type, size, sha256, content) values (?, ?, ?, ?, ?, ?, ?, ?)",
            file.FileId, grantId, ownerId, file.FileName, file.ContentType, file.Size, file.Sha256, content);

    public sealed record StoredFile(string FileName, string ContentType, byte[] Content, string Sha256);

    public static async Task<StoredFile?> Load(NpgsqlDataSource dataSource, string schema, Guid grantId, Guid ownerId, Guid fileId, CancellationToken cancellation)
    {
        await using var command = dataSource.CreateCommand(
            $"select file_name, content_type, content, sha256 from {schema}.{TableName} where id = $1 and grant_id = $2 and owner_id = $3");
        command.Parameters.Add(new NpgsqlParameter { Value = fileId, NpgsqlDbType = NpgsqlDbType.Uuid });
        command.Parameters.Add(new NpgsqlParameter { Value = grantId, NpgsqlDbType = NpgsqlDbType.Uuid });
        command.Parameters.Add(new NpgsqlParameter { Value = ownerId, NpgsqlDbType = NpgsqlDbType.Uuid });
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        return await reader.ReadAsync(cancellation)
            ? new StoredFile(reader.GetString(0), reader.GetString(1), (byte[])reader[2], reader.GetString(3))
            : null;
    }

    /// <summary>What the grant's events recorded about a file: the milestone or expenditure entry it supports, and its SHA-256.</summary>
    public sealed record RecordedFile(Guid OwnerId, string? Sha256);

    /// <summary>
    /// Read from the grant's events (<see cref="MilestoneSubmitted"/> and payment-request files, <see cref="ExpenditureReportSubmitted"/>
    /// entries), which the audit chain covers; not from the file's own row or the grant snapshot document, which
    /// whoever can rewrite the bytes in their table could rewrite too. An expenditure entry recorded before entries
    /// carried the fingerprint has a null <see cref="RecordedFile.Sha256"/>.
    /// </summary>
    public static async Task<RecordedFile?> Recorded(IQuerySession session, Guid grantId, Guid fileId, CancellationToken cancellation)
    {
        var events = await session.Events.QueryAllRawEvents()
            .Where(e => e.StreamId == grantId && e.EventTypesAre(typeof(MilestoneSubmitted), typeof(ExpenditureReportSubmitted), typeof(Domain.Grants.PaymentRequested)))
            .OrderBy(e => e.Sequence)
            .ToListAsync(cancellation);
        return events.Select(e => e.Data).SelectMany(data => data switch
        {
            MilestoneSubmitted m => m.Files.Where(f => f.FileId == fileId).Select(f => new RecordedFile(m.MilestoneId, f.Sha256)),
            Domain.Grants.PaymentRequested p => p.Files.Where(f => f.FileId == fileId).Select(f => new RecordedFile(p.RequestId, f.Sha256)),
            ExpenditureReportSubmitted r => r.Entries.Where(x => x.FileId == fileId).Select(x => new RecordedFile(x.EntryId, x.FileSha256)),
            _ => [],
        }).FirstOrDefault();
    }

    /// <summary>
    /// Every download of a stored file (evidence, a supporting file; the web pages link to the same endpoints) comes
    /// here: the bytes are served only if their SHA-256 is the one the ledger recorded in the event. Otherwise
    /// <c>409 file-integrity-failed</c> and a warning naming the grant and file (never the content).
    /// </summary>
    public static async Task<IResult> Serve(IQuerySession session, NpgsqlDataSource dataSource, Guid grantId, Guid ownerId, Guid fileId,
        ILoggerFactory loggers, CancellationToken cancellation)
    {
        var stored = await Load(dataSource, session.DocumentStore.Options.Events.DatabaseSchemaName, grantId, ownerId, fileId, cancellation);
        var recorded = await Recorded(session, grantId, fileId, cancellation);
        if (recorded?.OwnerId != ownerId)
        {
            recorded = null;
        }

        var problem = (stored, recorded) switch
        {
            (null, null) => null,
            (null, _) => "the ledger recorded it but its bytes are missing",
            (_, null) => "bytes are stored for it but the ledger never recorded such a file",
            // Entries recorded before they carried the fingerprint: only the row's own record (same transaction) is left.
            (_, { Sha256: null }) when Sha256Of(stored.Content) != stored.Sha256 => "its bytes no longer match the SHA-256 stored with them",
            (_, { Sha256: { } sha }) when Sha256Of(stored.Content) != sha => "its bytes no longer match the SHA-256 recorded when it was submitted",
            _ => null,
        };
        if (problem is not null)
        {
            loggers.CreateLogger(typeof(EvidenceStore).FullName!).LogWarning(
                "File {FileId} of grant {GrantId} (for {OwnerId}) failed its integrity check and was not served: {Problem}", fileId, grantId, ownerId, problem);
            return Problems.Create(StatusCodes.Status409Conflict, "file-integrity-failed", "The stored file is not the file the ledger recorded",
                $"File {fileId} is not served: {problem}. Tell the ledger's administrators; the audit chain and the database need checking.");
        }

        return stored is null ? Problems.NotFound("file", fileId) : Results.File(stored.Content, stored.ContentType, stored.FileName);
    }

    public static string Sha256Of(byte[] content) => Convert.ToHexStringLower(SHA256.HashData(content));
}

/// <summary>Decides what a file is from its bytes, never from the name or content type the client sent.</summary>
public static class EvidenceSniffer
{
    public static string? Sniff(byte[] content, string fileName)
    {
        var head = content.AsSpan(0, Math.Min(content.Length, 16));
        if (head.StartsWith("%PDF-"u8)) return "application/pdf";
        if (head.StartsWith(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A })) return "image/png";
        if (head.StartsWith(new byte[] { 0xFF, 0xD8, 0xFF })) return "image/jpeg";
        if (head.StartsWith("GIF87a"u8) || head.StartsWith("GIF89a"u8)) return "image/gif";
        if (head.Length >= 12 && head[..4].SequenceEqual("RIFF"u8) && head[8..12].SequenceEqual("WEBP"u8)) return "image/webp";
        if (head.StartsWith(new byte[] { 0x49, 0x49, 0x2A, 0x00 }) || head.StartsWith(new byte[] { 0x4D, 0x4D, 0x00, 0x2A })) return "image/tiff";
        if (head.StartsWith("PK\u0003\u0004"u8)) return SniffZip(content);
        if (head.StartsWith(new byte[] { 0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1 }) &&
            fileName.EndsWith(".xls", StringComparison.OrdinalIgnoreCase)) return "application/vnd.ms-excel";
        if (fileName.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) && IsText(content)) return "text/csv";
        return null;
    }

    private static string? SniffZip(byte[] content)
    {
        try
        {
            using var zip = new ZipArchive(new MemoryStream(content), ZipArchiveMode.Read);
            if (zip.GetEntry("xl/workbook.xml") is not null)
            {
                return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
            }

            // The entry could inflate to gigabytes (a zip bomb): read no more than the longest mimetype could be.
            if (zip.GetEntry("mimetype") is { } mimetype &&
                Encoding.ASCII.GetString(ReadAtMost(mimetype.Open(), InputLimits.ZipMimetypeBytes)).Trim() == "application/vnd.oasis.opendocument.spreadsheet")
            {
                return "application/vnd.oasis.opendocument.spreadsheet";
            }
        }
        catch (InvalidDataException)
        {
        }

        return null;
    }

    /// <summary>At most <paramref name="limit"/> bytes of the stream (one more is read to tell a longer one; it is then empty).</summary>
    private static byte[] ReadAtMost(Stream stream, int limit)
    {
        using (stream)
        {
            var buffer = new byte[limit + 1];
            var total = 0;
            int read;
            while (total < buffer.Length && (read = stream.Read(buffer, total, buffer.Length - total)) > 0)
            {
                total += read;
            }

            return total > limit ? [] : buffer[..total];
        }
    }

    private static bool IsText(byte[] content)
    {
        if (Array.IndexOf(content, (byte)0) >= 0)
        {
            return false;
        }

        try
        {
            _ = new UTF8Encoding(false, true).GetCharCount(content);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }
}
