using System.Data.Common;
using Dapper;
using System.Text.RegularExpressions;

namespace Threadline.Store;

/// <summary>
/// Runs one parameterised statement for many rows, written once as for a single row (<c>@name</c> parameters), in the
/// shape each engine is fast at. SQLite: one prepared statement stepped per row (there are no round trips to save).
/// PostgreSQL: one statement for all rows, which reads them as a table from a single JSON parameter
/// (<c>json_to_recordset</c>), so the server parses, plans and executes once instead of once per row: sent as a batch of
/// per-row statements, each one's planning alone cost as much as its execution (the conversations' two updates, ~40 ms
/// per batch of 1,000 in <c>bench pipeline</c>). Returns the rows affected.
/// </summary>
public static partial class StatementBatch
{
    /// <param name="sql">An <c>UPDATE … SET … WHERE …</c> or an <c>INSERT INTO … (…) VALUES (…) [ON CONFLICT …]</c> for one row.
    /// On PostgreSQL no two rows may update the same row (a statement changes a row once; the rows are read as one table).</param>
    /// <param name="parameters">Each parameter as "name type": the name as in <paramref name="sql"/> (without @), the type
    /// PostgreSQL reads it as (bigint, integer, text, boolean); in the order <paramref name="values"/> gives them.</param>
    public static async Task<int> ExecuteAsync<T>(DbConnection connection, DbTransaction tx, string sql, string[] parameters,
        IReadOnlyCollection<T> rows, Func<T, object?[]> values, CancellationToken ct)
    {
        if (rows.Count == 0) return 0;
        var specs = parameters.Select(Spec.Parse).ToArray();
        if (connection is not Microsoft.Data.Sqlite.SqliteConnection sqlite)
        {
            return await connection.ExecuteAsync(new CommandDefinition(ForRowSet(sql, specs),
                new { rows = RowSetJson.Serialize(specs.Select(s => s.Column).ToArray(), rows, values) }, tx, cancellationToken: ct));
        }

        // SQLite: prepared once, bound by position (see SqliteStatement).
        using var statement = new SqliteStatement(sqlite, sql, specs.Select(s => s.Name).ToArray());
        int changed = 0;
        foreach (var row in rows)
        {
            ct.ThrowIfCancellationRequested();
            changed += statement.Execute(values(row));
        }
        return changed;
    }

    internal sealed record Spec(string Name, string Type)
    {
        /// <summary>The rowset's column: prefixed so that it never shares a name with a column of the target table.</summary>
        public string Column => "p_" + Name.ToLowerInvariant();

        public static Spec Parse(string text)
        {
            var parts = text.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (parts.Length != 2 || !Regex.IsMatch(parts[0], @"^\w+$"))
                throw new ArgumentException($"A parameter is \"name type\" (e.g. \"id bigint\"), not \"{text}\".", nameof(text));
            return new Spec(parts[0], parts[1]);
        }
    }

    /// <summary>The one-row statement as one for all rows (PostgreSQL): every <c>@name</c> becomes the rowset's column,
    /// read from <c>json_to_recordset(@rows::json)</c>. Internal: the tests check the rewriting.</summary>
    internal static string ForRowSet(string sql, IReadOnlyList<Spec> specs)
    {
        var byName = specs.ToDictionary(s => s.Name, StringComparer.Ordinal);
        string Column(Match m) => byName.TryGetValue(m.Groups[1].Value, out var s) ? "u." + s.Column
            : throw new ArgumentException($"@{m.Groups[1].Value} is used but not declared among the parameters.", nameof(sql));
        string rowSet = $"json_to_recordset(@rows::json) AS u({string.Join(", ", specs.Select(s => s.Column + " " + s.Type))})";

        if (sql.StartsWith("UPDATE ", StringComparison.Ordinal))
        {
            int where = sql.IndexOf(" WHERE ", StringComparison.Ordinal);
            if (where < 0) throw new ArgumentException("An UPDATE for many rows needs a WHERE that matches each row.", nameof(sql));
            return ParameterName().Replace(sql[..where], Column) + " FROM " + rowSet + ParameterName().Replace(sql[where..], Column);
        }
        if (sql.StartsWith("INSERT INTO ", StringComparison.Ordinal))
        {
            int open = sql.IndexOf(" VALUES (", StringComparison.Ordinal);
            if (open < 0) throw new ArgumentException("An INSERT for many rows needs VALUES (…).", nameof(sql));
            int start = open + " VALUES (".Length, depth = 1, close = start;
            for (; close < sql.Length && depth > 0; close++)
                depth += sql[close] == '(' ? 1 : sql[close] == ')' ? -1 : 0;
            if (depth != 0) throw new ArgumentException("Unbalanced parentheses in VALUES (…).", nameof(sql));
            string valuesList = sql[start..(close - 1)];
            return sql[..open] + " SELECT " + ParameterName().Replace(valuesList, Column) + " FROM " + rowSet + sql[close..];
        }
        throw new ArgumentException("Only UPDATE … WHERE … and INSERT INTO … VALUES (…) run for many rows.", nameof(sql));
    }

    [GeneratedRegex(@"@(\w+)")]
    private static partial Regex ParameterName();
}
