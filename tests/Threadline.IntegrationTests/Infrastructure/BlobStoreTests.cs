using Dapper;
using Threadline.Store;

namespace Threadline.IntegrationTests.Infrastructure;

/// <summary>
/// A main store on a real SQLite file with one table of ~4 KiB rows (<see cref="Blobs"/>), its commits leaving the log to
/// the checkpointer as in the server, and both stores kept open for the whole test (see <see cref="ScratchDirectory.KeepOpenAsync"/>):
/// for tests that watch the write-ahead log itself.
/// </summary>
public abstract class BlobStoreTests : ScratchDirectory
{
    protected Database Db { get; set; } = null!;
    protected string DatabaseFile => Path.Combine(Directory, "threadline.db");
    protected string WalFile => DatabaseFile + "-wal";

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Db = new Database(new StorageOptions { ConnectionString = $"Data Source={DatabaseFile}" });
        Db.UseBackgroundCheckpoints(); // as in the server: commits leave the log to the checkpointer
        await using var c = await Db.OpenAsync();
        await c.ExecuteAsync("PRAGMA journal_mode=WAL; CREATE TABLE blobs (id INTEGER PRIMARY KEY, body BLOB NOT NULL);");
        await KeepOpenAsync(DatabaseFile);
        await KeepOpenAsync(Path.Combine(Directory, "threadline.inbox.db"));
    }
}
