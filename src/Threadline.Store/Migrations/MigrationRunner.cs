using System.Data.Common;
using System.Reflection;
using Dapper;
using Microsoft.Extensions.Logging;

namespace Threadline.Store.Migrations;

/// <summary>
/// Applies the numbered SQL files embedded in this assembly (<c>0001_name.sql</c> …) that the database has not seen,
/// each in its own transaction, recording them in <c>schema_migrations</c>. On PostgreSQL an advisory lock keeps
/// several instances starting at once from racing.
/// </summary>
public sealed class MigrationRunner(Database db, TimeProvider clock, ILogger<MigrationRunner> logger)
{
    private const long AdvisoryLockKey = 0x7468726561646C; // "threadl"

    private const string InboxPrefix = "Threadline.Store.Migrations.Inbox.";

    /// <summary>The migrations of the main store (<paramref name="inbox"/> false) or of the inbox store (Migrations/Inbox/).</summary>
    public static IReadOnlyList<(int Version, string Name, string Sql)> Embedded(bool inbox)
    {
        var assembly = typeof(MigrationRunner).Assembly;
        return assembly.GetManifestResourceNames()
            .Where(n => n.EndsWith(".sql", StringComparison.Ordinal) && n.StartsWith(InboxPrefix, StringComparison.Ordinal) == inbox)
            .Select(n =>
            {
                string file = n.Split('.')[^2]; // Threadline.Store.Migrations.0001_name.sql
                int version = int.Parse(file[..file.IndexOf('_')], System.Globalization.CultureInfo.InvariantCulture);
                using var reader = new StreamReader(assembly.GetManifestResourceStream(n)!);
                return (version, file, reader.ReadToEnd());
            })
            .OrderBy(m => m.version)
            .ToList();
    }

    /// <summary>Brings the main store and the inbox store up to date; returns how many migrations were applied.</summary>
    public async Task<int> ApplyAsync(CancellationToken ct = default)
    {
        await using var main = await db.OpenAsync(ct);
        int applied = await ApplyAsync(main, "schema_migrations", Embedded(inbox: false), ct);
        await using var inbox = await db.OpenInboxAsync(ct: ct);
        return applied + await ApplyAsync(inbox, "inbox_schema_migrations", Embedded(inbox: true), ct);
    }

    private async Task<int> ApplyAsync(DbConnection connection, string versionTable, IReadOnlyList<(int Version, string Name, string Sql)> migrations, CancellationToken ct)
    {
        if (db.Provider == StorageProvider.Sqlite)
            await connection.ExecuteAsync(new CommandDefinition("PRAGMA journal_mode=WAL;", cancellationToken: ct));
        else
            await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_lock(@k)", new { k = AdvisoryLockKey }, cancellationToken: ct));
        try
        {
            await connection.ExecuteAsync(new CommandDefinition(
                $"CREATE TABLE IF NOT EXISTS {versionTable} (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
                cancellationToken: ct));
            var applied = (await connection.QueryAsync<int>(new CommandDefinition($"SELECT version FROM {versionTable}", cancellationToken: ct))).ToHashSet();
            int count = 0;
            foreach (var (version, name, sql) in migrations.Where(m => !applied.Contains(m.Version)))
            {
                await using DbTransaction tx = await connection.BeginTransactionAsync(ct);
                await connection.ExecuteAsync(new CommandDefinition(db.Dialect.Render(sql), transaction: tx, cancellationToken: ct));
                await connection.ExecuteAsync(new CommandDefinition(
                    $"INSERT INTO {versionTable} (version, name, applied_at) VALUES (@version, @name, @at)",
                    new { version, name, at = clock.GetUtcNow().ToUnixTimeMilliseconds() }, tx, cancellationToken: ct));
                await tx.CommitAsync(ct);
                logger.LogInformation("Applied migration {Version} {Name} to {Store}", version, name, db.Describe());
                count++;
            }
            return count;
        }
        finally
        {
            if (db.Provider == StorageProvider.Postgres)
                await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_unlock(@k)", new { k = AdvisoryLockKey }, cancellationToken: CancellationToken.None));
        }
    }
}
