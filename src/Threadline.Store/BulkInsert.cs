using System.Data.Common;
using Dapper;

namespace Threadline.Store;

/// <summary>
/// Inserts many rows that may already exist (<c>ON CONFLICT … DO NOTHING</c>) and tells which were new, in the shape
/// each engine is fast at. PostgreSQL: one multi-row statement per chunk with <c>RETURNING</c>, because every statement
/// is a network round trip. SQLite: one prepared statement stepped once per row, because there is no round trip and
/// SQLite looks named parameters up by a linear scan, which makes a statement with thousands of parameters quadratic.
/// Values are always parameters, never inlined.
/// </summary>
public static partial class BulkInsert
{
    /// <summary>Most rows per PostgreSQL statement: keeps parameters far below its limit of 65,535.</summary>
    public const int MaxRowsPerStatement = 200;

    /// <param name="insert">"INSERT INTO table (col, …)"</param>
    /// <param name="conflict">"ON CONFLICT (key) DO NOTHING"</param>
    /// <param name="keyColumns">Columns that identify a row, for RETURNING (PostgreSQL); <paramref name="keyOf"/> gives the same from a row.</param>
    /// <returns>The rows that were inserted (not already present).</returns>
    public static async Task<List<T>> ExecuteAsync<T>(SqlDialect dialect, DbConnection connection, DbTransaction tx, string insert, string conflict,
        string keyColumns, IReadOnlyList<T> rows, Func<T, object?[]> values, Func<T, string> keyOf, CancellationToken ct)
    {
        var inserted = new List<T>();
        if (rows.Count == 0) return inserted;
        if (dialect.Provider == StorageProvider.Sqlite)
        {
            int width = values(rows[0]).Length;
            // Prepared once, bound by position (see SqliteStatement), inside the caller's transaction on the same connection.
            using var statement = new SqliteStatement((Microsoft.Data.Sqlite.SqliteConnection)connection,
                $"{insert} VALUES ({string.Join(", ", Enumerable.Range(0, width).Select(i => "@p" + i))}) {conflict}",
                Enumerable.Range(0, width).Select(i => "@p" + i).ToArray());
            foreach (var row in rows)
            {
                ct.ThrowIfCancellationRequested();
                if (statement.Execute(values(row)) == 1) inserted.Add(row);
            }
            return inserted;
        }

        var byKey = new Dictionary<string, T>(StringComparer.Ordinal);
        foreach (var row in rows) byKey.TryAdd(keyOf(row), row);
        foreach (var chunk in rows.Chunk(MaxRowsPerStatement))
        {
            await using var command = connection.CreateCommand();
            command.Transaction = tx;
            var sql = new System.Text.StringBuilder(insert.Length + chunk.Length * 80).Append(insert).Append(" VALUES ");
            for (int r = 0; r < chunk.Length; r++)
            {
                sql.Append(r == 0 ? "(" : ", (");
                object?[] v = values(chunk[r]);
                for (int c = 0; c < v.Length; c++)
                {
                    string name = $"@p{r}_{c}";
                    sql.Append(c == 0 ? name : ", " + name);
                    var p = command.CreateParameter();
                    p.ParameterName = name;
                    p.Value = v[c] ?? DBNull.Value;
                    command.Parameters.Add(p);
                }
                sql.Append(')');
            }
            // PostgreSQL coerces a plain VALUES list to the target columns' types, so NULL parameters need no casts.
            command.CommandText = sql.Append(' ').Append(conflict).Append(" RETURNING ").Append(keyColumns).ToString();
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                string key = string.Join('\u001f', Enumerable.Range(0, reader.FieldCount).Select(reader.GetString));
                inserted.Add(byKey[key]);
            }
        }
        return inserted;
    }

    /// <summary>
    /// Inserts rows and returns the id each got (the table's <c>id</c> column), ascending in the order given, so that a
    /// later row always has the larger id. SQLite: a statement prepared once, the rowid SQLite assigned. PostgreSQL: the
    /// ids taken from the table's own sequence in one round trip, then all rows in one statement (one round trip per row
    /// before: a batch of new leads opened each conversation with a round trip of its own).
    /// </summary>
    /// <param name="insert">"INSERT INTO table (col, …)": the table's <c>id</c> is assigned here, not among the columns.</param>
    public static async Task<List<long>> ReturningIdsAsync<T>(DbConnection connection, DbTransaction tx, string insert, IReadOnlyList<T> rows,
        Func<T, object?[]> values, CancellationToken ct)
    {
        var ids = new List<long>(rows.Count);
        if (rows.Count == 0) return ids;
        if (connection is Microsoft.Data.Sqlite.SqliteConnection sqlite)
        {
            string[] names = Enumerable.Range(0, values(rows[0]).Length).Select(i => "@p" + i).ToArray();
            using var statement = new SqliteStatement(sqlite, $"{insert} VALUES ({string.Join(", ", names)})", names);
            foreach (var row in rows)
            {
                ct.ThrowIfCancellationRequested();
                statement.Execute(values(row));
                ids.Add(statement.LastInsertRowId);
            }
            return ids;
        }

        var target = InsertTarget().Match(insert);
        if (!target.Success) throw new ArgumentException($"Expected \"INSERT INTO table (column, …)\", not \"{insert}\".", nameof(insert));
        string table = target.Groups[1].Value;
        ids.AddRange((await connection.QueryAsync<long>(new CommandDefinition(
            "SELECT nextval(pg_get_serial_sequence(@table, 'id')) FROM generate_series(1, @count)", new { table, count = rows.Count }, tx, cancellationToken: ct))).Order());
        var numbered = rows.Select((row, i) => (Id: ids[i], Row: row)).ToList();
        var inserted = await ExecuteAsync(SqlDialect.Postgres, connection, tx, $"INSERT INTO {table} (id, {target.Groups[2].Value.Trim()})", "ON CONFLICT (id) DO NOTHING", "CAST(id AS TEXT)",
            numbered, r => [r.Id, .. values(r.Row)], r => r.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), ct);
        if (inserted.Count != rows.Count) throw new InvalidOperationException($"{table}: {rows.Count - inserted.Count} of the ids just taken from its sequence were already in use.");
        return ids;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^INSERT INTO (\w+) \(([\w\s,]+)\)$")]
    private static partial System.Text.RegularExpressions.Regex InsertTarget();
}
