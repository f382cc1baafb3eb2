using System.Data.Common;
using Dapper;
using Threadline.Store;
using Threadline.Store.Migrations;

namespace Threadline.IntegrationTests.Infrastructure;

/// <summary>For migration tests: a store as the migrations before a given one left it.</summary>
public static class OlderSchema
{
    /// <summary>Applies (and records) the embedded migrations numbered below <paramref name="version"/> on <paramref name="c"/>.</summary>
    public static async Task ApplyBeforeAsync(Database db, DbConnection c, bool inbox, int version)
    {
        string table = inbox ? "inbox_schema_migrations" : "schema_migrations";
        await c.ExecuteAsync($"CREATE TABLE {table} (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)");
        foreach (var (v, name, sql) in MigrationRunner.Embedded(inbox).Where(m => m.Version < version))
        {
            await c.ExecuteAsync(db.Dialect.Render(sql));
            await c.ExecuteAsync($"INSERT INTO {table} (version, name, applied_at) VALUES (@v, @name, 0)", new { v, name });
        }
    }
}
