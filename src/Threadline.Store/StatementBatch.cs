using System.Data.Common;

namespace Threadline.Store;

/// <summary>
/// Runs one parameterised statement for many rows: on PostgreSQL as a single <see cref="DbBatch"/> (one round trip for
/// all rows), on SQLite as one prepared statement stepped per row (no round trips to save). Returns the rows affected.
/// </summary>
public static class StatementBatch
{
    public static async Task<int> ExecuteAsync<T>(DbConnection connection, DbTransaction tx, string sql, string[] parameterNames,
        IReadOnlyCollection<T> rows, Func<T, object?[]> values, CancellationToken ct)
    {
        if (rows.Count == 0) return 0;
        if (connection.CanCreateBatch)
        {
            await using var batch = connection.CreateBatch();
            batch.Transaction = tx;
            foreach (var row in rows)
            {
                var command = batch.CreateBatchCommand();
                command.CommandText = sql;
                object?[] v = values(row);
                for (int i = 0; i < parameterNames.Length; i++)
                {
                    var p = command.CreateParameter();
                    p.ParameterName = parameterNames[i];
                    p.Value = v[i] ?? DBNull.Value;
                    command.Parameters.Add(p);
                }
                batch.BatchCommands.Add(command);
            }
            return await batch.ExecuteNonQueryAsync(ct);
        }

        // SQLite: prepared once, bound by position (see SqliteStatement).
        using var statement = new SqliteStatement((Microsoft.Data.Sqlite.SqliteConnection)connection, sql, parameterNames);
        int changed = 0;
        foreach (var row in rows)
        {
            ct.ThrowIfCancellationRequested();
            changed += statement.Execute(values(row));
        }
        return changed;
    }
}
