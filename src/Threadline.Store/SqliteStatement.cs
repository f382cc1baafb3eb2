using System.Globalization;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Threadline.Store;

/// <summary>
/// One SQLite statement prepared once and stepped once per row, its parameters bound by position, on the connection's
/// own handle (so inside the connection's transaction). For the pipeline's per-row writes only: Microsoft.Data.Sqlite
/// looks every parameter up by name again on every execution (a UTF-8 copy of the name, a call into SQLite, a linear
/// scan of the statement's names), which for the ~100 values a message writes was a tenth of the pipeline's time.
/// Values are bound exactly as Microsoft.Data.Sqlite binds them, so rows read back the same.
/// </summary>
internal sealed class SqliteStatement : IDisposable
{
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _statement;
    private readonly int[] _index;

    public SqliteStatement(SqliteConnection connection, string sql, IReadOnlyList<string> parameterNames)
    {
        _db = connection.Handle ?? throw new InvalidOperationException("The SQLite connection is not open.");
        Check(raw.sqlite3_prepare_v2(_db, sql, out _statement));
        _index = new int[parameterNames.Count];
        for (int i = 0; i < _index.Length; i++)
        {
            string name = parameterNames[i];
            _index[i] = raw.sqlite3_bind_parameter_index(_statement, name.StartsWith('@') ? name : "@" + name);
            if (_index[i] == 0) throw new InvalidOperationException($"The statement has no parameter {name}: {sql}");
        }
    }

    /// <summary>Binds <paramref name="values"/> (in the order of the names given) and runs the statement; returns the rows it changed.</summary>
    public int Execute(object?[] values)
    {
        if (values.Length != _index.Length) throw new ArgumentException($"{_index.Length} values expected, {values.Length} given.", nameof(values));
        try
        {
            for (int i = 0; i < values.Length; i++) Bind(_index[i], values[i]);
            int rc = raw.sqlite3_step(_statement);
            if (rc != raw.SQLITE_DONE && rc != raw.SQLITE_ROW) Check(rc); // prepare_v2: step returns the error itself
            return raw.sqlite3_changes(_db);
        }
        finally
        {
            raw.sqlite3_reset(_statement);
        }
    }

    /// <summary>The rowid of the row the last successful INSERT on this connection added.</summary>
    public long LastInsertRowId => raw.sqlite3_last_insert_rowid(_db);

    private void Bind(int index, object? value)
    {
        int rc = value switch
        {
            null or DBNull => raw.sqlite3_bind_null(_statement, index),
            string s => raw.sqlite3_bind_text(_statement, index, s),
            long l => raw.sqlite3_bind_int64(_statement, index, l),
            int n => raw.sqlite3_bind_int64(_statement, index, n),
            bool b => raw.sqlite3_bind_int64(_statement, index, b ? 1 : 0),
            short n => raw.sqlite3_bind_int64(_statement, index, n),
            byte n => raw.sqlite3_bind_int64(_statement, index, n),
            double d => raw.sqlite3_bind_double(_statement, index, d),
            float f => raw.sqlite3_bind_double(_statement, index, f),
            // An empty span would bind NULL: an empty body is still a value.
            byte[] { Length: 0 } => raw.sqlite3_bind_zeroblob(_statement, index, 0),
            byte[] bytes => raw.sqlite3_bind_blob(_statement, index, bytes),
            // As Microsoft.Data.Sqlite stores decimals: invariant text.
            decimal m => raw.sqlite3_bind_text(_statement, index, m.ToString("0.0###########################", CultureInfo.InvariantCulture)),
            _ => throw new NotSupportedException($"SqliteStatement cannot bind a {value.GetType().Name}."),
        };
        Check(rc);
    }

    private void Check(int rc)
    {
        if (rc != raw.SQLITE_OK) throw new SqliteException(raw.sqlite3_errmsg(_db).utf8_to_string(), rc, raw.sqlite3_extended_errcode(_db));
    }

    public void Dispose() => _statement.Dispose();
}
