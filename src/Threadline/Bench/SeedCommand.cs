using System.Data.Common;

namespace Threadline.Bench;

/// <summary>A prepared statement with positional parameters <c>@p0…</c>, for seeding benchmark stores fast.</summary>
internal sealed class SeedCommand(DbCommand command)
{
    public static SeedCommand Prepare(DbConnection c, DbTransaction tx, string sql, int parameters)
    {
        var command = c.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql;
        for (int i = 0; i < parameters; i++)
        {
            var p = command.CreateParameter();
            p.ParameterName = "@p" + i;
            command.Parameters.Add(p);
        }
        return new SeedCommand(command);
    }

    public async Task RunAsync(CancellationToken ct, params object?[] values)
    {
        for (int i = 0; i < values.Length; i++) command.Parameters[i].Value = values[i] ?? DBNull.Value;
        await command.ExecuteNonQueryAsync(ct);
    }
}
