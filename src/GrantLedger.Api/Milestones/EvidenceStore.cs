using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using GrantLedger.Domain.Milestones;
using Marten;
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

    public sealed record StoredFile(string FileName, string ContentType, byte[] Content);

    public static async Task<StoredFile?> Load(NpgsqlDataSource dataSource, string schema, Guid grantId, Guid ownerId, Guid fileId, CancellationToken cancellation)
    {
        await using var command = dataSource.CreateCommand(
            $"select file_name, content_type, content from {schema}.{TableName} where id = $1 and grant_id = $2 and owner_id = $3");
        command.Parameters.Add(new NpgsqlParameter { Value = fileId, NpgsqlDbType = NpgsqlDbType.Uuid });
        command.Parameters.Add(new NpgsqlParameter { Value = grantId, NpgsqlDbType = NpgsqlDbType.Uuid });
        command.Parameters.Add(new NpgsqlParameter { Value = ownerId, NpgsqlDbType = NpgsqlDbType.Uuid });
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        return await reader.ReadAsync(cancellation)
            ? new StoredFile(reader.GetString(0), reader.GetString(1), (byte[])reader[2])
            : null;
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

            if (zip.GetEntry("mimetype") is { } mimetype)
            {
                using var reader = new StreamReader(mimetype.Open());
                if (reader.ReadToEnd().Trim() == "application/vnd.oasis.opendocument.spreadsheet")
                {
                    return "application/vnd.oasis.opendocument.spreadsheet";
                }
            }
        }
        catch (InvalidDataException)
        {
        }

        return null;
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
