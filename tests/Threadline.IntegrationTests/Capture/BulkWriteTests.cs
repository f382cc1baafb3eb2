using System.Data.Common;
using Dapper;
using Threadline.IntegrationTests.Infrastructure;
using Threadline.Store;

namespace Threadline.IntegrationTests.Capture;

/// <summary>
/// The pipeline's per-row writers (<see cref="BulkInsert"/>, <see cref="StatementBatch"/>) store every kind of value
/// exactly as a plain parameterised command does, report what they changed, and fail loudly on a broken constraint.
/// On SQLite they bind by position on the connection's own handle; these tests hold them to Microsoft.Data.Sqlite's results.
/// </summary>
public sealed class BulkWriteTests : ScratchDirectory
{
    private async Task<Database> StoreAsync(StoreKind kind)
    {
        var db = await TestDatabases.CreateStoreAsync(kind, Directory);
        await using var c = await db.OpenAsync();
        await c.ExecuteAsync(
            "CREATE TABLE t (k TEXT PRIMARY KEY, n BIGINT, i INTEGER, b BOOLEAN, d DOUBLE PRECISION, m NUMERIC(18,2), s TEXT, blob " +
            (kind == StoreKind.Postgres ? "BYTEA" : "BLOB") + ")");
        return db;
    }

    private sealed record Row(string K, long? N, int I, bool B, double D, decimal M, string? S, byte[]? Blob);

    private static readonly Row[] Rows =
    [
        new("a", 9_007_199_254_740_993, -7, true, 1.5, 12.34m, "plain", [1, 2, 3]),
        new("b", null, 0, false, -0.25, 0m, "ünïcödé 👍 'quotes' \"and\" \\ backslash", []),
        new("c", long.MinValue, int.MaxValue, true, 1e300, -99.99m, "", null),
        new("d", 42, 1, false, 2.5, 1m, null, new byte[5000]),
    ];

    private static object?[] Values(Row r) => [r.K, r.N, r.I, r.B, r.D, r.M, r.S, r.Blob];

    /// <summary>The rows as stored (the decimal column is compared by the SQLite storage check below: SQLite's NUMERIC affinity keeps 1.00 as 1).</summary>
    private static async Task<List<Row>> ReadAsync(DbConnection c) =>
        (await c.QueryAsync<(string K, long? N, long I, bool B, double D, string? S, byte[]? Blob)>("SELECT k, n, i, b, d, s, blob FROM t ORDER BY k"))
        .Select(r => new Row(r.K, r.N, (int)r.I, r.B, r.D, 0, r.S, r.Blob)).ToList();

    [Theory, InlineData(StoreKind.Sqlite), InlineData(StoreKind.Postgres)]
    public async Task Rows_written_in_bulk_read_back_exactly_as_written_and_repeats_are_reported_as_not_inserted(StoreKind kind)
    {
        var db = await StoreAsync(kind);
        await using var c = await db.OpenAsync();
        await using (var tx = await c.BeginTransactionAsync())
        {
            var inserted = await BulkInsert.ExecuteAsync(db.Dialect, c, tx, "INSERT INTO t (k, n, i, b, d, m, s, blob)", "ON CONFLICT (k) DO NOTHING", "k",
                Rows.Concat([Rows[0] with { S = "a repeat is not stored" }]).ToList(), Values, r => r.K, CancellationToken.None);
            Assert.Equal(Rows, inserted, RowComparer.Instance);
            await tx.CommitAsync();
        }
        Assert.Equal(Rows, await ReadAsync(c), RowComparer.Instance);

        if (kind == StoreKind.Sqlite)
        {
            // The storage classes are those Microsoft.Data.Sqlite gives the same values through a plain command.
            await c.ExecuteAsync("CREATE TABLE u AS SELECT * FROM t WHERE 0");
            foreach (var r in Rows)
                await c.ExecuteAsync("INSERT INTO u (k, n, i, b, d, m, s, blob) VALUES (@K, @N, @I, @B, @D, @M, @S, @Blob)", r);
            const string types = "SELECT k, typeof(n), typeof(i), typeof(b), typeof(d), typeof(m), typeof(s), typeof(blob), quote(n), quote(i), quote(b), quote(d), quote(m), quote(s), quote(blob) FROM {0} ORDER BY k";
            Assert.Equal((await c.QueryAsync(string.Format(types, "u"))).Select(x => string.Join('|', ((IDictionary<string, object>)x).Values)),
                (await c.QueryAsync(string.Format(types, "t"))).Select(x => string.Join('|', ((IDictionary<string, object>)x).Values)));
        }
    }

    [Theory, InlineData(StoreKind.Sqlite), InlineData(StoreKind.Postgres)]
    public async Task A_statement_per_row_counts_the_rows_it_changed(StoreKind kind)
    {
        var db = await StoreAsync(kind);
        await using var c = await db.OpenAsync();
        await using var tx = await c.BeginTransactionAsync();
        await BulkInsert.ExecuteAsync(db.Dialect, c, tx, "INSERT INTO t (k, n, i, b, d, m, s, blob)", "ON CONFLICT (k) DO NOTHING", "k",
            Rows, Values, r => r.K, CancellationToken.None);
        int changed = await StatementBatch.ExecuteAsync(c, tx, "UPDATE t SET s = @s, n = @n WHERE k = @k", ["s text", "n bigint", "k text"],
            new[] { ("a", "changed", 1L), ("missing", "nothing", 2L), ("d", "also changed", 3L) }, r => [r.Item2, r.Item3, r.Item1], CancellationToken.None);
        Assert.Equal(2, changed);
        await tx.CommitAsync();
        var rows = await ReadAsync(c);
        Assert.Equal(("changed", 1L), (rows[0].S, rows[0].N));
        Assert.Equal(("also changed", 3L), (rows[3].S, rows[3].N));
        Assert.Equal(Rows[1], rows[1], RowComparer.Instance);
    }

    [Theory, InlineData(StoreKind.Sqlite), InlineData(StoreKind.Postgres)]
    public async Task A_broken_constraint_fails_the_write_and_the_transaction_keeps_nothing_of_it(StoreKind kind)
    {
        var db = await StoreAsync(kind);
        await using var c = await db.OpenAsync();
        await using (var tx = await c.BeginTransactionAsync())
        {
            var failure = await Assert.ThrowsAnyAsync<DbException>(() => StatementBatch.ExecuteAsync(c, tx,
                "INSERT INTO t (k, n) VALUES (@k, @n)", ["k text", "n bigint"], new[] { ("x", 1L), ("x", 2L) }, r => [r.Item1, r.Item2], CancellationToken.None));
            Assert.Contains("t.k", failure.Message.Replace("\"", "").Replace("t_pkey", "t.k"), StringComparison.OrdinalIgnoreCase);
            await tx.RollbackAsync();
        }
        Assert.Empty(await ReadAsync(c));
        // The connection is still usable afterwards (the statement was reset and released).
        await using var again = await c.BeginTransactionAsync();
        await StatementBatch.ExecuteAsync(c, again, "INSERT INTO t (k, n) VALUES (@k, @n)", ["k text", "n bigint"], new[] { ("y", 1L) }, r => [r.Item1, r.Item2], CancellationToken.None);
        await again.CommitAsync();
        Assert.Single(await ReadAsync(c));
    }

    [Theory, InlineData(StoreKind.Sqlite), InlineData(StoreKind.Postgres)]
    public async Task Rows_inserted_return_their_ids_ascending_in_the_order_given(StoreKind kind)
    {
        var db = await StoreAsync(kind);
        await using var c = await db.OpenAsync();
        await c.ExecuteAsync($"CREATE TABLE g (id {db.Dialect.IdColumn}, name TEXT NOT NULL, note TEXT NULL)");
        await c.ExecuteAsync("INSERT INTO g (name) VALUES ('before')");
        // More rows than one multi-row statement holds on PostgreSQL; NULLs and customer text among them.
        var names = new[] { "first", "second", "third" }.Concat(Enumerable.Range(4, 447).Select(i => $"row {i} 'quoted' \"{i}\"")).ToList();
        List<long> ids;
        await using (var tx = await c.BeginTransactionAsync())
        {
            ids = await BulkInsert.ReturningIdsAsync(c, tx, "INSERT INTO g (name, note)", names, n => [n, n.Length % 2 == 0 ? null : "odd"], CancellationToken.None);
            await tx.CommitAsync();
        }
        Assert.Equal(names.Count, ids.Distinct().Count());
        Assert.Equal(ids.Order(), ids);
        Assert.True(ids[0] > await c.QuerySingleAsync<long>("SELECT id FROM g WHERE name = 'before'"));
        var stored = (await c.QueryAsync<(long Id, string Name, string? Note)>("SELECT id, name, note FROM g WHERE name <> 'before'")).ToDictionary(r => r.Id);
        Assert.Equal(names.Count, stored.Count);
        foreach (var (id, name) in ids.Zip(names))
            Assert.Equal((name, name.Length % 2 == 0 ? null : "odd"), (stored[id].Name, stored[id].Note));
        // The store goes on numbering after them.
        await c.ExecuteAsync("INSERT INTO g (name) VALUES ('after')");
        Assert.True(await c.QuerySingleAsync<long>("SELECT id FROM g WHERE name = 'after'") > ids[^1]);
    }

    private sealed class RowComparer : IEqualityComparer<Row>
    {
        public static readonly RowComparer Instance = new();
        public bool Equals(Row? x, Row? y) => x is not null && y is not null && x with { Blob = null, M = 0 } == y with { Blob = null, M = 0 }
            && (x.Blob is null ? y.Blob is null : y.Blob is not null && x.Blob.AsSpan().SequenceEqual(y.Blob));
        public int GetHashCode(Row r) => r.K.GetHashCode();
    }

    private sealed record BatchRow(long Id, string? Text, bool? Flag, int Count);

    /// <summary>Many rows (one statement reading a JSON row set on PostgreSQL): customer text, extreme numbers and NULLs
    /// come back exactly, and an update touches only the rows its WHERE matches.</summary>
    [Theory, InlineData(StoreKind.Sqlite), InlineData(StoreKind.Postgres)]
    public async Task Many_rows_write_exactly_what_each_row_said(StoreKind kind)
    {
        var db = await StoreAsync(kind);
        await using var c = await db.OpenAsync();
        await c.ExecuteAsync("CREATE TABLE batch_rows (id BIGINT PRIMARY KEY, text TEXT NULL, flag BOOLEAN NULL, count INTEGER NOT NULL, seen BIGINT NULL)");
        var rows = new List<BatchRow>
        {
            new BatchRow(long.MaxValue, "O'Brien said \"hi\" \\ <b>ünïcode</b> 😀\n\t--; DROP TABLE batch_rows", true, int.MaxValue),
            new BatchRow(long.MinValue, null, null, int.MinValue),
            new BatchRow(0, "", false, 0),
        };
        rows.AddRange(Enumerable.Range(1, 1500).Select(i => new BatchRow(i, "row " + i, i % 2 == 0, i)));

        await using (var tx = await c.BeginTransactionAsync())
        {
            int inserted = await StatementBatch.ExecuteAsync(c, tx, "INSERT INTO batch_rows (id, text, flag, count, seen) VALUES (@id, @text, @flag, @count, NULL)",
                ["id bigint", "text text", "flag boolean", "count integer"], rows, r => [r.Id, r.Text, r.Flag, r.Count], CancellationToken.None);
            Assert.Equal(rows.Count, inserted);
            // Only even ids below 1000 match the WHERE; NULL marks "keep what is there" (COALESCE).
            int updated = await StatementBatch.ExecuteAsync(c, tx,
                "UPDATE batch_rows SET seen = @seen, text = COALESCE(@text, text) WHERE id = @id AND count < 1000 AND count % 2 = 0",
                ["seen bigint", "text text", "id bigint"], rows.Where(r => r.Id is > 0 and < 2000).ToList(),
                r => [r.Id * 10, r.Id % 4 == 0 ? null : "new " + r.Id, r.Id], CancellationToken.None);
            Assert.Equal(499, updated);
            await tx.CommitAsync();
        }

        var stored = (await c.QueryAsync<(long Id, string? Text, bool? Flag, long Count, long? Seen)>(
            "SELECT id, text, flag, CAST(count AS BIGINT), seen FROM batch_rows")).ToDictionary(r => r.Id);
        Assert.Equal(rows.Count, stored.Count);
        foreach (var r in rows)
        {
            bool matched = r.Id is > 0 and < 1000 && r.Id % 2 == 0;
            string? text = matched && r.Id % 4 != 0 ? "new " + r.Id : r.Text;
            Assert.Equal((r.Id, text, r.Flag, (long)r.Count, matched ? r.Id * 10 : (long?)null), stored[r.Id]);
        }
    }
}
