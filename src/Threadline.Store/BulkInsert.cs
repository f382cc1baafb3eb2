using System.Data.Common;

namespace Threadline.Store;

/// <summary>
/// Inserts many rows that may already exist (<c>ON CONFLICT … DO NOTHING</c>) and tells which were new, in the shape
/// each engine is fast at. PostgreSQL: one multi-row statement per chunk with <c>RETURNING</c>, because every statement
/// is a network round trip. SQLite: one prepared statement stepped once per row, because there is no round trip and
/// SQLite looks named parameters up by a linear scan, which makes a statement with thousands of parameters quadratic.
/// Values are always parameters, never inlined.
/// </summary>
public static class BulkInsert
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
    /// Inserts rows one at a time and returns the id each got (the table's <c>id</c> column), in the order given: a
    /// statement prepared once on SQLite (the rowid SQLite assigned), one round trip per row with <c>RETURNING id</c> on PostgreSQL.
    /// </summary>
    /// <param name="insert">"INSERT INTO table (col, …)"</param>
    public static async Task<List<long>> ReturningIdsAsync<T>(DbConnection connection, DbTransaction tx, string insert, IReadOnlyList<T> rows,
        Func<T, object?[]> values, CancellationToken ct)
    {
        var ids = new List<long>(rows.Count);
        if (rows.Count == 0) return ids;
        string[] names = Enumerable.Range(0, values(rows[0]).Length).Select(i => "@p" + i).ToArray();
        string sql = $"{insert} VALUES ({string.Join(", ", names)})";
        if (connection is Microsoft.Data.Sqlite.SqliteConnection sqlite)
        {
            using var statement = new SqliteStatement(sqlite, sql, names);
            foreach (var row in rows)
            {
                ct.ThrowIfCancellationRequested();
                statement.Execute(values(row));
                ids.Add(statement.LastInsertRowId);
            }
            return ids;
        }

        await using var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql + " RETURNING id";
        var parameters = names.Select(name =>
        {
            var p = command.CreateParameter();
            p.ParameterName = name;
            command.Parameters.Add(p);
            return p;
        }).ToArray();
        foreach (var row in rows)
        {
            object?[] v = values(row);
            for (int i = 0; i < parameters.Length; i++) parameters[i].Value = v[i] ?? DBNull.Value;
            ids.Add(Convert.ToInt64(await command.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture));
        }
        return ids;
    }
}
