using System.Data.Common;

namespace Threadline.Store;

/// <summary>
/// Builds one <c>INSERT … VALUES (…), (…) …</c> statement for many rows, so a batch costs one statement instead of
/// one per row (both SQLite and PostgreSQL accept the same text). Values are always parameters, never inlined.
/// </summary>
public static class MultiRowCommand
{
    /// <summary>Most rows per statement: keeps parameter counts far below SQLite's 32,766 and PostgreSQL's 65,535.</summary>
    public const int MaxRows = 200;

    public static DbCommand Create<T>(SqlDialect dialect, DbConnection connection, DbTransaction tx, string insertPrefix, string suffix,
        IReadOnlyList<T> rows, Func<T, object?[]> values)
    {
        // SQLite 3.35 parses a multi-row VALUES followed by ON CONFLICT as an ambiguous compound SELECT ("near ON: syntax
        // error"); its documented way out is a SELECT with a WHERE clause. PostgreSQL needs the plain form, where VALUES
        // are coerced to the target columns' types (a NULL parameter would otherwise become text).
        bool sqlite = dialect.Provider == StorageProvider.Sqlite;
        var command = connection.CreateCommand();
        command.Transaction = tx;
        var sql = new System.Text.StringBuilder(insertPrefix.Length + rows.Count * 64);
        sql.Append(insertPrefix).Append(sqlite ? " SELECT * FROM (VALUES " : " VALUES ");
        for (int r = 0; r < rows.Count; r++)
        {
            if (r > 0) sql.Append(", ");
            sql.Append('(');
            object?[] row = values(rows[r]);
            for (int c = 0; c < row.Length; c++)
            {
                if (c > 0) sql.Append(", ");
                string name = $"@p{r}_{c}";
                sql.Append(name);
                var parameter = command.CreateParameter();
                parameter.ParameterName = name;
                parameter.Value = row[c] ?? DBNull.Value;
                command.Parameters.Add(parameter);
            }
            sql.Append(')');
        }
        if (sqlite) sql.Append(") WHERE true");
        sql.Append(' ').Append(suffix);
        command.CommandText = sql.ToString();
        return command;
    }

    /// <summary>Splits <paramref name="rows"/> into statement-sized chunks.</summary>
    public static IEnumerable<IReadOnlyList<T>> Chunks<T>(IReadOnlyList<T> rows) =>
        rows.Count == 0 ? [] : rows.Count <= MaxRows ? [rows] : rows.Chunk(MaxRows);
}
