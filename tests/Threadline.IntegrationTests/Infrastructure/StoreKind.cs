using Npgsql;

namespace Threadline.IntegrationTests.Infrastructure;

/// <summary>The two stores every integration test runs against.</summary>
public enum StoreKind { Sqlite, Postgres }

/// <summary>
/// Makes a fresh, empty database for one test: a new SQLite file, or a new PostgreSQL database on the throwaway
/// cluster that ./test.sh starts (THREADLINE_TEST_PG). Data is wiped by never reusing a database.
/// </summary>
public static class TestDatabases
{
    public static string PostgresAdminConnectionString =>
        Environment.GetEnvironmentVariable("THREADLINE_TEST_PG") is { Length: > 0 } cs
            ? cs
            : throw new InvalidOperationException(
                "THREADLINE_TEST_PG is not set. Run the tests with ./test.sh, which starts a throwaway PostgreSQL cluster.");

    /// <summary>A fresh, empty database (no migrations applied), as the store's own <see cref="Threadline.Store.Database"/>.</summary>
    public static async Task<Threadline.Store.Database> CreateStoreAsync(StoreKind kind, string directory)
    {
        var settings = await CreateAsync(kind, directory);
        return new Threadline.Store.Database(new Threadline.Store.StorageOptions
        {
            Provider = settings["Storage:Provider"]!, ConnectionString = settings["Storage:ConnectionString"],
        });
    }

    public static async Task<IReadOnlyDictionary<string, string?>> CreateAsync(StoreKind kind, string directory)
    {
        if (kind == StoreKind.Sqlite)
            return new Dictionary<string, string?>
            {
                ["Storage:Provider"] = "sqlite",
                ["Storage:ConnectionString"] = $"Data Source={Path.Combine(directory, "threadline.db")}",
            };

        string name = "tl_" + Guid.NewGuid().ToString("N")[..16];
        await using (var admin = new NpgsqlConnection(PostgresAdminConnectionString))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", admin);
            await create.ExecuteNonQueryAsync();
        }
        var builder = new NpgsqlConnectionStringBuilder(PostgresAdminConnectionString) { Database = name };
        return new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "postgres",
            ["Storage:ConnectionString"] = builder.ToString(),
        };
    }
}
