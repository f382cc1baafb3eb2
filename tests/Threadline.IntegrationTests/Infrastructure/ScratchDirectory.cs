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

    public virtual Task DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { }
        return Task.CompletedTask;
    }
}
