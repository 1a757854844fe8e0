using Npgsql;
using NpgsqlTypes;

namespace GrantLedger.Benchmarks;

/// <summary>
/// The same disbursement written the way a team without event sourcing would: one SQL transaction through Npgsql that
/// locks the grant's row, checks the rules (amount, window, what remains, the idempotency key), inserts the payment
/// and updates the grant's totals. No HTTP, no authentication, no audit metadata: the floor of the conventional
/// design on this machine, for comparison with the event-sourced command.
/// </summary>
internal sealed class ConventionalPeer(NpgsqlDataSource dataSource, string schema)
{
    public async Task Create()
    {
        await dataSource.CreateCommand($"""
            drop schema if exists {schema} cascade;
            create schema {schema};
            create table {schema}.grants (
                id uuid primary key, amount numeric(18,2) not null, disbursed numeric(18,2) not null default 0,
                reserved numeric(18,2) not null default 0, window_start date not null, window_end date not null,
                approval_threshold numeric(18,2) not null, version int not null default 1);
            create table {schema}.payments (
                id uuid primary key, grant_id uuid not null references {schema}.grants (id), amount numeric(18,2) not null,
                value_date date not null, reference text not null, status text not null, idempotency_key text not null unique,
                recorded_by text not null, recorded_at timestamptz not null default now());
            create index on {schema}.payments (grant_id);
            """).ExecuteNonQueryAsync();
    }

    public async Task<Guid> Grant()
    {
        var id = Guid.NewGuid();
        await using var command = dataSource.CreateCommand(
            $"insert into {schema}.grants (id, amount, window_start, window_end, approval_threshold) values ($1, 1000000, '2020-01-01', '2030-12-31', 100000000)");
        command.Parameters.AddWithValue(id);
        await command.ExecuteNonQueryAsync();
        return id;
    }

    /// <summary>Records 1.00 EUR; false when a rule refused it.</summary>
    public async Task<bool> Disburse(Guid grantId)
    {
        const decimal amount = 1.00m;
        var valueDate = new DateOnly(2020, 5, 4);
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var existing = new NpgsqlCommand($"select 1 from {schema}.payments where idempotency_key = $1", connection, transaction))
        {
            existing.Parameters.AddWithValue(Guid.NewGuid().ToString());
            if (await existing.ExecuteScalarAsync() is not null)
            {
                return true; // a replay: the first answer stands
            }
        }

        decimal remaining, threshold;
        await using (var grant = new NpgsqlCommand(
            $"select amount - disbursed - reserved, approval_threshold, window_start, window_end from {schema}.grants where id = $1 for update",
            connection, transaction))
        {
            grant.Parameters.AddWithValue(grantId);
            await using var reader = await grant.ExecuteReaderAsync();
            if (!await reader.ReadAsync())
            {
                return false;
            }

            (remaining, threshold) = (reader.GetDecimal(0), reader.GetDecimal(1));
            if (valueDate < reader.GetFieldValue<DateOnly>(2) || valueDate > reader.GetFieldValue<DateOnly>(3))
            {
                return false;
            }
        }

        if (amount <= 0m || decimal.Round(amount, 2) != amount || amount > remaining)
        {
            return false;
        }

        var awaitsApproval = amount >= threshold;
        await using (var insert = new NpgsqlCommand(
            $"insert into {schema}.payments (id, grant_id, amount, value_date, reference, status, idempotency_key, recorded_by) " +
            "values ($1, $2, $3, $4, $5, $6, $7, 'finance@ecaro.example')", connection, transaction))
        {
            insert.Parameters.AddWithValue(Guid.NewGuid());
            insert.Parameters.AddWithValue(grantId);
            insert.Parameters.AddWithValue(NpgsqlDbType.Numeric, amount);
            insert.Parameters.AddWithValue(valueDate);
            insert.Parameters.AddWithValue("BENCH-" + Guid.NewGuid().ToString("N")[..8]);
            insert.Parameters.AddWithValue(awaitsApproval ? "awaiting-approval" : "recorded");
            insert.Parameters.AddWithValue(Guid.NewGuid().ToString());
            await insert.ExecuteNonQueryAsync();
        }

        await using (var update = new NpgsqlCommand(
            $"update {schema}.grants set {(awaitsApproval ? "reserved = reserved" : "disbursed = disbursed")} + $2, version = version + 1 where id = $1",
            connection, transaction))
        {
            update.Parameters.AddWithValue(grantId);
            update.Parameters.AddWithValue(NpgsqlDbType.Numeric, amount);
            await update.ExecuteNonQueryAsync();
        }

        await transaction.CommitAsync();
        return true;
    }

    public Task Drop() => dataSource.CreateCommand($"drop schema if exists {schema} cascade").ExecuteNonQueryAsync();
}
