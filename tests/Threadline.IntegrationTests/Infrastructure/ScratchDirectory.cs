namespace Threadline.IntegrationTests.Infrastructure;

/// <summary>
/// A test class's own directory under the temp folder for SQLite files (and TestDatabases' PostgreSQL settings), removed
/// afterwards once SQLite's pooled connections have let go of the files.
/// </summary>
public abstract class ScratchDirectory : IAsyncLifetime
{
    protected string Directory { get; } = Path.Combine(Path.GetTempPath(), "threadline-tests", Guid.NewGuid().ToString("N"));

    public virtual Task InitializeAsync()
    {
        System.IO.Directory.CreateDirectory(Directory);
        return Task.CompletedTask;
    }

    private readonly List<Microsoft.Data.Sqlite.SqliteConnection> _anchors = [];

    /// <summary>
    /// Keeps a connection (not pooled) to <paramref name="databaseFile"/> open until the test ends. Test classes run in
    /// parallel, and each one's end clears every SQLite pool: when that closes a database's last connection, SQLite copies
    /// its write-ahead log into the file and deletes it, under a test that is looking at that log.
    /// </summary>
    protected async Task KeepOpenAsync(string databaseFile)
    {
        var anchor = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={databaseFile};Pooling=False");
        await anchor.OpenAsync();
        _anchors.Add(anchor);
        // A read opens the log and takes the shared lock on the file that a closing connection tests to know it is the last.
        await using var read = anchor.CreateCommand();
        read.CommandText = "SELECT COUNT(*) FROM sqlite_master";
        await read.ExecuteScalarAsync();
    }

    public virtual Task DisposeAsync()
    {
        foreach (var anchor in _anchors) anchor.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { }
        return Task.CompletedTask;
    }
}
