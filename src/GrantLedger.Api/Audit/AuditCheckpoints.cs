using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Marten;
using Microsoft.Extensions.Options;
using NodaTime;
using NodaTime.Text;
using Npgsql;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace GrantLedger.Api.Audit;

/// <summary>A chain head (sequence and link) signed with the ledger's private key at an instant.</summary>
public sealed record SignedCheckpoint(long Sequence, string Link, Instant SignedAt, string KeyId, string Signature, string Reason)
{
    /// <summary>The exact bytes signed: format tag, sequence, link and the signing instant (ISO, milliseconds).</summary>
    public string Payload => AuditCheckpoints.Payload(Sequence, Link, SignedAt);
}

/// <summary>
/// Signed checkpoints of the audit chain. The chain alone can be recomputed by whoever can write the tables; a
/// checkpoint cannot, because its signature needs a private key that lives outside PostgreSQL. Checkpoints are kept
/// in the database (append-only), appended to a journal file outside it, and written to the log.
/// </summary>
public static class AuditCheckpoints
{
    public const string TableName = "audit_checkpoints";
    public const string Format = "grantledger-audit-checkpoint/v1";

    public static Table Table(string schema)
    {
        var table = new Table(new PostgresqlObjectName(schema, TableName, SchemaUtils.IdentifierUsage.General));
        table.AddColumn<long>("seq_id").AsPrimaryKey();
        table.AddColumn<string>("link").NotNull();
        table.AddColumn("signed_at", "timestamptz").NotNull();
        table.AddColumn<string>("key_id").NotNull();
        table.AddColumn<string>("signature").NotNull();
        table.AddColumn<string>("reason").NotNull();
        return table;
    }

    public static string Payload(long sequence, string link, Instant signedAt) =>
        $"{Format}\n{sequence}\n{link}\n{InstantPattern.ExtendedIso.Format(signedAt)}";

    public static async Task<List<SignedCheckpoint>> All(NpgsqlDataSource dataSource, string schema, CancellationToken cancellation)
    {
        await using var command = dataSource.CreateCommand($"select seq_id, link, signed_at, key_id, signature, reason from {schema}.{TableName} order by seq_id");
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        var all = new List<SignedCheckpoint>();
        while (await reader.ReadAsync(cancellation))
        {
            all.Add(new SignedCheckpoint(reader.GetInt64(0), reader.GetString(1), reader.GetFieldValue<Instant>(2), reader.GetString(3), reader.GetString(4),
                reader.GetString(5)));
        }

        return all;
    }
}

/// <summary>
/// The ledger's checkpoint signing key: ECDSA P-256 with SHA-256, signatures in IEEE P1363 form, base64. The private
/// key is a PEM file (<c>GrantLedger:Audit:SigningKeyPath</c>) outside the database; outside Production a missing
/// file is generated on first start, in Production a missing key stops the application from starting. Public keys
/// of retired keys (<c>GrantLedger:Audit:TrustedPublicKeyPaths</c>) still verify the checkpoints they signed.
/// </summary>
public sealed class AuditSigningKey : IDisposable
{
    private readonly ECDsa _key;
    private readonly Dictionary<string, ECDsa> _trusted = new();

    public string KeyId { get; }
    public string PublicKeyPem { get; }

    private AuditSigningKey(ECDsa key, IEnumerable<string> trustedPublicKeyPems)
    {
        _key = key;
        (KeyId, PublicKeyPem) = Describe(key);
        _trusted[KeyId] = key;
        foreach (var pem in trustedPublicKeyPems)
        {
            var trusted = ECDsa.Create();
            trusted.ImportFromPem(pem);
            _trusted.TryAdd(Describe(trusted).KeyId, trusted);
        }
    }

    /// <summary>The key id is the first 16 hex digits of the SHA-256 of the public key (SubjectPublicKeyInfo).</summary>
    private static (string KeyId, string Pem) Describe(ECDsa key)
    {
        var spki = key.ExportSubjectPublicKeyInfo();
        return (Convert.ToHexStringLower(SHA256.HashData(spki))[..16], PemEncoding.WriteString("PUBLIC KEY", spki));
    }

    public static AuditSigningKey Load(AuditOptions options, IHostEnvironment environment, ILogger logger)
    {
        var path = options.SigningKeyPath;
        if (string.IsNullOrWhiteSpace(path))
        {
            if (environment.IsProduction())
            {
                throw new InvalidOperationException(
                    "GrantLedger:Audit:SigningKeyPath is not set: in Production the audit checkpoint signing key must be a file kept outside the database " +
                    "(see docs/operations.md, \"Signing key\").");
            }

            path = Path.Combine(environment.ContentRootPath, ".keys", "audit-signing-key.pem");
        }

        var trusted = (options.TrustedPublicKeyPaths ?? []).Select(File.ReadAllText).ToList();
        var key = ECDsa.Create();
        if (File.Exists(path))
        {
            key.ImportFromPem(File.ReadAllText(path));
            return new AuditSigningKey(key, trusted);
        }

        if (environment.IsProduction())
        {
            throw new InvalidOperationException($"The audit checkpoint signing key {path} does not exist; in Production it is never generated (see docs/operations.md).");
        }

        key.Dispose();
        key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var temporary = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        File.WriteAllText(temporary, key.ExportPkcs8PrivateKeyPem());
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        try
        {
            // Two hosts starting at once: the first file wins, both use it.
            File.Move(temporary, path, overwrite: false);
            logger.LogWarning("Generated a new audit checkpoint signing key at {Path} ({Environment} only; Production requires one)", path, environment.EnvironmentName);
        }
        catch (IOException) when (File.Exists(path))
        {
            File.Delete(temporary);
            key.ImportFromPem(File.ReadAllText(path));
        }

        return new AuditSigningKey(key, trusted);
    }

    public string Sign(string payload) => Convert.ToBase64String(_key.SignData(Encoding.UTF8.GetBytes(payload), HashAlgorithmName.SHA256));

    /// <summary>True when a known key (the current one or a trusted retired one) signed exactly this payload.</summary>
    public bool Verifies(string keyId, string payload, string signature)
    {
        if (!_trusted.TryGetValue(keyId, out var key))
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[128];
        return Convert.TryFromBase64String(signature, bytes, out var written) && written <= 128 &&
               key.VerifyData(Encoding.UTF8.GetBytes(payload), bytes[..written], HashAlgorithmName.SHA256);
    }

    public bool Verifies(SignedCheckpoint checkpoint) => Verifies(checkpoint.KeyId, checkpoint.Payload, checkpoint.Signature);

    public void Dispose()
    {
        foreach (var key in _trusted.Values.Distinct())
        {
            key.Dispose();
        }
    }
}

/// <summary>
/// Signs the chain head: periodically (every <c>CheckpointEveryEvents</c> chained events or <c>CheckpointEveryMinutes</c>
/// once the head has moved, and at once when the chain has no checkpoint yet) and for every generated report.
/// </summary>
public sealed class AuditCheckpointer(NpgsqlDataSource dataSource, IDocumentStore store, AuditSigningKey key, IClock clock,
    IOptions<AuditOptions> options, IHostEnvironment environment, ILogger<AuditCheckpointer> logger)
{
    private long _lastSignedAt = Stopwatch.GetTimestamp();
    private static readonly SemaphoreSlim JournalLock = new(1, 1);

    private string Schema => store.Options.Events.DatabaseSchemaName;

    /// <summary>The journal outside the database: <c>CheckpointJournalPath</c>, else beside the signing key.</summary>
    public string JournalPath =>
        options.Value.CheckpointJournalPath is { Length: > 0 } configured
            ? configured
            : Path.Combine(Path.GetDirectoryName(Path.GetFullPath(options.Value.SigningKeyPath is { Length: > 0 } k
                ? k
                : Path.Combine(environment.ContentRootPath, ".keys", "audit-signing-key.pem")))!, $"audit-checkpoints-{Schema}.jsonl");

    /// <summary>Signs the current chain head unless a checkpoint already covers it; returns the checkpoint of the head.</summary>
    public async Task<SignedCheckpoint?> SignHeadAsync(string reason, CancellationToken cancellation)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellation);
        var head = await Head(connection, cancellation);
        if (head is null)
        {
            return null;
        }

        var (sequence, link, signed) = head.Value;
        if (signed is not null)
        {
            return signed;
        }

        var now = Instant.FromUnixTimeMilliseconds(clock.GetCurrentInstant().ToUnixTimeMilliseconds());
        var checkpoint = new SignedCheckpoint(sequence, link, now, key.KeyId, key.Sign(AuditCheckpoints.Payload(sequence, link, now)), reason);
        await using (var insert = new NpgsqlCommand(
            $"insert into {Schema}.{AuditCheckpoints.TableName} (seq_id, link, signed_at, key_id, signature, reason) values ($1, $2, $3, $4, $5, $6) on conflict (seq_id) do nothing",
            connection))
        {
            insert.Parameters.Add(new NpgsqlParameter { Value = checkpoint.Sequence });
            insert.Parameters.Add(new NpgsqlParameter { Value = checkpoint.Link });
            insert.Parameters.Add(new NpgsqlParameter { Value = checkpoint.SignedAt });
            insert.Parameters.Add(new NpgsqlParameter { Value = checkpoint.KeyId });
            insert.Parameters.Add(new NpgsqlParameter { Value = checkpoint.Signature });
            insert.Parameters.Add(new NpgsqlParameter { Value = reason });
            if (await insert.ExecuteNonQueryAsync(cancellation) == 0)
            {
                // Another node signed the same head a moment earlier: theirs is as good.
                return (await Head(connection, cancellation))?.Signed;
            }
        }

        _lastSignedAt = Stopwatch.GetTimestamp();
        await Journal(checkpoint, cancellation);
        logger.LogInformation("Audit checkpoint signed: sequence {Sequence}, link {Link}, at {SignedAt}, key {KeyId}, signature {Signature}",
            checkpoint.Sequence, checkpoint.Link, checkpoint.SignedAt, checkpoint.KeyId, checkpoint.Signature);
        return checkpoint;
    }

    /// <summary>Signs when enough events were chained since the last checkpoint, or enough time passed.</summary>
    public async Task<SignedCheckpoint?> SignIfDueAsync(CancellationToken cancellation)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellation);
        await using var command = new NpgsqlCommand(
            $"select (select max(seq_id) from {Schema}.{AuditChain.TableName}), (select max(seq_id) from {Schema}.{AuditCheckpoints.TableName})", connection);
        long head;
        long? last;
        await using (var reader = await command.ExecuteReaderAsync(cancellation)) // disposed once (see LedgerGauges.Sample)
        {
            await reader.ReadAsync(cancellation);
            if (reader.IsDBNull(0))
            {
                return null;
            }

            (head, last) = (reader.GetInt64(0), reader.IsDBNull(1) ? (long?)null : reader.GetInt64(1));
        }

        var due = last is null ||
                  (head > last && (head - last >= options.Value.CheckpointEveryEvents ||
                                   Stopwatch.GetElapsedTime(_lastSignedAt) >= TimeSpan.FromMinutes(options.Value.CheckpointEveryMinutes)));
        return due ? await SignHeadAsync(last is null ? "first" : "interval", cancellation) : null;
    }

    private async Task<(long Sequence, string Link, SignedCheckpoint? Signed)?> Head(NpgsqlConnection connection, CancellationToken cancellation)
    {
        await using var command = new NpgsqlCommand(
            $"select c.seq_id, c.link, k.signed_at, k.key_id, k.signature, k.reason from {Schema}.{AuditChain.TableName} c " +
            $"left join {Schema}.{AuditCheckpoints.TableName} k on k.seq_id = c.seq_id order by c.seq_id desc limit 1", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        if (!await reader.ReadAsync(cancellation))
        {
            return null;
        }

        var (sequence, link) = (reader.GetInt64(0), reader.GetString(1));
        return (sequence, link, reader.IsDBNull(2)
            ? null
            : new SignedCheckpoint(sequence, link, reader.GetFieldValue<Instant>(2), reader.GetString(3), reader.GetString(4), reader.GetString(5)));
    }

    private async Task Journal(SignedCheckpoint checkpoint, CancellationToken cancellation)
    {
        try
        {
            await JournalLock.WaitAsync(cancellation);
            try
            {
                Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(JournalPath))!);
                await File.AppendAllTextAsync(JournalPath, JsonSerializer.Serialize(new JournalLine(checkpoint.Sequence, checkpoint.Link,
                    InstantPattern.ExtendedIso.Format(checkpoint.SignedAt), checkpoint.KeyId, checkpoint.Signature, checkpoint.Reason)) + "\n", cancellation);
            }
            finally
            {
                JournalLock.Release();
            }
        }
        catch (IOException ex)
        {
            logger.LogError(ex, "Audit checkpoint {Sequence} could not be written to the journal {Path}; it is in the database and the log", checkpoint.Sequence, JournalPath);
        }
    }

    /// <summary>The checkpoints written to the journal file, or an empty list when there is none yet.</summary>
    public async Task<List<SignedCheckpoint>> ReadJournal(CancellationToken cancellation)
    {
        if (!File.Exists(JournalPath))
        {
            return [];
        }

        var result = new List<SignedCheckpoint>();
        foreach (var line in await File.ReadAllLinesAsync(JournalPath, cancellation))
        {
            if (line.Length == 0)
            {
                continue;
            }

            var entry = JsonSerializer.Deserialize<JournalLine>(line) ?? throw new InvalidDataException("empty journal line");
            result.Add(new SignedCheckpoint(entry.Sequence, entry.Link, InstantPattern.ExtendedIso.Parse(entry.SignedAt).GetValueOrThrow(), entry.KeyId,
                entry.Signature, entry.Reason));
        }

        return result;
    }

    private sealed record JournalLine(long Sequence, string Link, string SignedAt, string KeyId, string Signature, string Reason);
}
