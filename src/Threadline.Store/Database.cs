using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Threadline.Store;

/// <summary>
/// Opens connections to the configured store with the durability settings Threadline relies on:
/// SQLite in WAL mode with <c>synchronous=FULL</c> (a committed transaction survives power loss),
/// PostgreSQL with <c>synchronous_commit=on</c>.
/// </summary>
public sealed class Database
{
    private readonly string _connectionString;
    private readonly string _inboxConnectionString;
    private readonly int _walCheckpointPages;
    private volatile bool _backgroundCheckpoints;

    static Database()
    {
        SQLitePCL.Batteries_V2.Init();
        // Before any connection opens: SQLite's pauses in milliseconds, not whole seconds (see SqliteWaits).
        SqliteWaits.Install();
    }

    /// <summary>How long a SQLite statement waits for a lock held by another connection before it fails with BUSY.</summary>
    public const int SqliteBusyTimeoutMs = 10_000;

    public Database(IOptions<StorageOptions> options) : this(options.Value) { }

    public Database(StorageOptions options)
    {
        _walCheckpointPages = options.WalCheckpointPages;
        CheckpointInterval = TimeSpan.FromMilliseconds(options.CheckpointIntervalMs);
        MainCheckpointInterval = TimeSpan.FromMilliseconds(options.MainCheckpointIntervalMs);
        PacedCheckpoints = options.PacedCheckpoints;
        CheckpointSlicePages = options.CheckpointSlicePages;
        LogWritebackInterval = TimeSpan.FromMilliseconds(options.LogWritebackIntervalMs);
        Provider = options.ProviderKind;
        Dialect = SqlDialect.For(Provider);
        _connectionString = Provider == StorageProvider.Postgres
            ? PostgresConnectionString(options.ConnectionString)
            : SqliteConnectionString(options.ConnectionString);
        if (Provider == StorageProvider.Postgres && !string.IsNullOrWhiteSpace(options.InboxPath))
            throw new InvalidOperationException("Storage:InboxPath applies to SQLite only: on PostgreSQL the inbox is a table of the same database.");
        _inboxConnectionString = Provider == StorageProvider.Postgres ? _connectionString : SqliteInboxConnectionString(_connectionString, options.InboxPath);
        if (Provider == StorageProvider.Sqlite)
        {
            _mainLogPath = Path.GetFullPath(new SqliteConnectionStringBuilder(_connectionString).DataSource + "-wal");
            _inboxLogPath = Path.GetFullPath(new SqliteConnectionStringBuilder(_inboxConnectionString).DataSource + "-wal");
        }
    }

    /// <summary>The main store's connection string (pooled), as the connections <see cref="OpenAsync(CancellationToken)"/> opens use it.</summary>
    internal string MainConnectionString => _connectionString;

    /// <summary>SQLite: the main store's write-ahead log (full path); null on PostgreSQL.</summary>
    public string? MainLogPath => _mainLogPath;

    /// <summary>The inbox store's connection string (pooled).</summary>
    internal string InboxConnectionString => _inboxConnectionString;

    // SQLite: the stores' write-ahead logs (see FlushMainLogToDisk, FlushInboxLogToDisk).
    private readonly string? _mainLogPath, _inboxLogPath;

    /// <summary>
    /// True when the inbox lives in a store of its own (SQLite: a second file), so its writes and the worker's never wait
    /// for each other; then marking inbox rows is a transaction separate from the worker's writes, which is safe because
    /// those writes are idempotent (a row processed twice changes nothing). False on PostgreSQL: one database, one transaction.
    /// </summary>
    public bool InboxIsSeparate => Provider == StorageProvider.Sqlite;

    public StorageProvider Provider { get; }
    public SqlDialect Dialect { get; }

    // SQLite has one writer per database. Left to SQLite's busy handler, waiting writers poll with sleeps (whole
    // seconds in builds without usleep), so this process queues its own writers here instead: FIFO, no sleeping.
    private readonly SemaphoreSlim _sqliteWriteGate = new(1, 1);
    private readonly SemaphoreSlim _sqliteInboxWriteGate = new(1, 1);

    /// <summary>
    /// Wrap every write transaction in this. On SQLite it serialises this process's writers; on PostgreSQL, which
    /// locks rows, it does nothing.
    /// </summary>
    public async ValueTask<WriteTurn> WriteTurnAsync(CancellationToken ct)
    {
        if (Provider == StorageProvider.Postgres) return default;
        await _sqliteWriteGate.WaitAsync(ct);
        return new WriteTurn(_sqliteWriteGate);
    }

    /// <summary>The same as <see cref="WriteTurnAsync"/>, for write transactions on the inbox store.</summary>
    public async ValueTask<WriteTurn> InboxWriteTurnAsync(CancellationToken ct)
    {
        if (Provider == StorageProvider.Postgres) return default;
        await _sqliteInboxWriteGate.WaitAsync(ct);
        return new WriteTurn(_sqliteInboxWriteGate);
    }

    /// <summary>A held turn at the write gate; dispose to release.</summary>
    public readonly struct WriteTurn(SemaphoreSlim? gate) : IDisposable
    {
        public void Dispose() => gate?.Release();
    }

    /// <summary>
    /// SQLite: the server's checkpointer (<c>WalCheckpointer</c>) copies the main store's write-ahead log into the database
    /// file from now on. By default SQLite does that inside the commit that takes the log past 1,000 pages: with the
    /// pipeline's random writes over a large store that was a third of the inbox worker's time, on the worker's own thread.
    /// Connections opened after this call leave it to the checkpointer (their own automatic checkpoint only steps in at
    /// four times <see cref="StorageOptions.WalCheckpointPages"/>) and trim the log file back after it starts over.
    /// </summary>
    public void UseBackgroundCheckpoints() => _backgroundCheckpoints = true;

    /// <summary>Whether <see cref="UseBackgroundCheckpoints"/> was called.</summary>
    public bool BackgroundCheckpoints => _backgroundCheckpoints;

    /// <summary>How often the checkpointer runs (<see cref="StorageOptions.CheckpointIntervalMs"/>).</summary>
    public TimeSpan CheckpointInterval { get; }

    /// <summary>How often the checkpointer copies the main store's log (<see cref="StorageOptions.MainCheckpointIntervalMs"/>).</summary>
    public TimeSpan MainCheckpointInterval { get; }

    /// <summary>Whether checkpoints pace their writes (<see cref="StorageOptions.PacedCheckpoints"/>).</summary>
    public bool PacedCheckpoints { get; }

    /// <summary>Pages a paced checkpoint writes out at once (<see cref="StorageOptions.CheckpointSlicePages"/>).</summary>
    public int CheckpointSlicePages { get; }

    /// <summary>How often the main store's new log frames are written out (<see cref="StorageOptions.LogWritebackIntervalMs"/>); zero: never.</summary>
    public TimeSpan LogWritebackInterval { get; }

    /// <summary>How many pages the main store's write-ahead log may hold before the checkpointer has it start over.</summary>
    public int WalCheckpointPages => _walCheckpointPages;

    /// <summary>
    /// Closes the idle connections pooled for this store (connections in use are closed when they are returned). For a
    /// process that is done with a store it will not open again, such as a test with a database of its own: otherwise
    /// PostgreSQL connections stay open until the pool prunes them (after 5 minutes idle).
    /// </summary>
    public void CloseIdleConnections()
    {
        if (Provider == StorageProvider.Postgres)
        {
            using var pooled = new NpgsqlConnection(_connectionString);
            NpgsqlConnection.ClearPool(pooled);
        }
        else
        {
            foreach (var cs in new[] { _connectionString, _inboxConnectionString })
            {
                using var pooled = new SqliteConnection(cs);
                SqliteConnection.ClearPool(pooled);
            }
        }
    }

    /// <summary>Where the data lives, without secrets (for logs and the CLI).</summary>
    public string Describe() => Provider == StorageProvider.Postgres
        ? $"postgres {new NpgsqlConnectionStringBuilder(_connectionString) { Password = null }.Host}/{new NpgsqlConnectionStringBuilder(_connectionString).Database}"
        : $"sqlite {new SqliteConnectionStringBuilder(_connectionString).DataSource}";

    /// <summary>
    /// SQLite: forces the main store's write-ahead log to disk (fsync), so every transaction committed to it before this
    /// call survives a power cut. The inbox worker's commits skip their own fsync (<c>synchronous=NORMAL</c>); this is how
    /// it knows when they are durable and its rows may be marked processed (see <c>ProcessedMarks</c>). Everything no
    /// longer in the log was copied into the database file by a checkpoint, which syncs that file before the log starts
    /// over. The log is opened anew each time (SQLite deletes it when its last connection closes). Closing a second handle
    /// on a file drops the POSIX locks this process holds on it; SQLite locks the database and <c>-shm</c> files, never the
    /// log, so that is safe here. False when there is no log yet, and on PostgreSQL (its commits are synchronous).
    /// </summary>
    public bool FlushMainLogToDisk()
    {
        if (_mainLogPath is not { } log) return false;
        if (!FlushFileToDisk(log))
        {
            _mainLogDirectorySynced = false; // the next log is a new file
            return false;
        }
        // A log this process has not synced before may be new: its directory entry must be on disk too (SQLite syncs the
        // directory at a new log's first sync of its own, which under synchronous=NORMAL may come after this one).
        if (!_mainLogDirectorySynced)
        {
            FlushDirectoryToDisk(Path.GetDirectoryName(log)!);
            _mainLogDirectorySynced = true;
        }
        return true;
    }

    private volatile bool _mainLogDirectorySynced;

    /// <summary>
    /// SQLite: forces the inbox store's write-ahead log to disk. Its commits are durable already (the webhook writer's
    /// <c>synchronous=FULL</c>, which also syncs a new log's directory); this covers the few commits that skip their own
    /// fsync (marks of processed rows) before a checkpoint copies them. False when there is no log.
    /// </summary>
    public bool FlushInboxLogToDisk() => _inboxLogPath is { } log && FlushFileToDisk(log);

    /// <summary>fsync of a file that may be missing (false then). See <see cref="FlushMainLogToDisk"/> on why a second handle is safe for a log.</summary>
    private static bool FlushFileToDisk(string path)
    {
        Microsoft.Win32.SafeHandles.SafeFileHandle handle;
        try
        {
            handle = File.OpenHandle(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (FileNotFoundException)
        {
            return false;
        }
        using (handle) RandomAccess.FlushToDisk(handle);
        return true;
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int PosixOpen([System.Runtime.InteropServices.MarshalAs(System.Runtime.InteropServices.UnmanagedType.LPUTF8Str)] string path, int flags);

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static extern int PosixFsync(int fd);

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "close", SetLastError = true)]
    private static extern int PosixClose(int fd);

    /// <summary>fsync of a directory (Unix; .NET opens no handles on directories). Closing it drops no lock: SQLite locks files only.</summary>
    private static void FlushDirectoryToDisk(string directory)
    {
        if (OperatingSystem.IsWindows()) return;
        int fd = PosixOpen(directory, 0 /* O_RDONLY */);
        if (fd < 0) throw new IOException($"Cannot open {directory} to sync it (errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()}).");
        try
        {
            if (PosixFsync(fd) != 0) throw new IOException($"fsync of {directory} failed (errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()}).");
        }
        finally
        {
            PosixClose(fd);
        }
    }

    /// <summary>Opens a connection whose commits are durable (fsynced).</summary>
    public async Task<DbConnection> OpenAsync(CancellationToken ct = default) => await OpenAsync(derivedDataOnly: false, ct);

    /// <summary>
    /// Opens a connection. <paramref name="derivedDataOnly"/> is for the inbox worker, whose writes can all be rebuilt from
    /// the durable inbox: on SQLite its commits skip the fsync (<c>synchronous=NORMAL</c>). That is safe because a power
    /// cut can only lose the log's unsynced tail, and the inbox rows of those commits still read "pending": they are
    /// marked processed only after <see cref="FlushMainLogToDisk"/> (<c>ProcessedMarks</c>), so they are redone.
    /// </summary>
    public Task<DbConnection> OpenAsync(bool derivedDataOnly, CancellationToken ct = default) => OpenAsync(_connectionString, derivedDataOnly, ct, main: true);

    /// <summary>Opens a connection to the inbox store (the same database on PostgreSQL). Its commits are durable unless <paramref name="derivedDataOnly"/>.</summary>
    public Task<DbConnection> OpenInboxAsync(bool derivedDataOnly = false, CancellationToken ct = default) => OpenAsync(_inboxConnectionString, derivedDataOnly, ct, main: false);

    private async Task<DbConnection> OpenAsync(string connectionString, bool derivedDataOnly, CancellationToken ct, bool main)
    {
        if (Provider == StorageProvider.Postgres)
        {
            var pg = new NpgsqlConnection(connectionString);
            await pg.OpenAsync(ct);
            return pg;
        }
        var lite = new SqliteConnection(connectionString);
        await lite.OpenAsync(ct);
        await using (var pragma = lite.CreateCommand())
        {
            // Per connection: FULL makes every WAL commit fsync (durable before we acknowledge). The busy handler (after the
            // pragmas) lets writers from other processes (the CLI beside a running server) take turns at SQLite's single
            // write lock instead of failing; this process's own writers queue at the write gates.
            // The worker (derivedDataOnly) reads contacts, conversations and history all over the file: a 64 MiB page
            // cache instead of SQLite's 2 MiB keeps their indexes in memory.
            pragma.CommandText = (derivedDataOnly ? "PRAGMA synchronous=NORMAL; PRAGMA cache_size=-65536;" : "PRAGMA synchronous=FULL;") +
                " PRAGMA foreign_keys=ON;" +
                (_backgroundCheckpoints
                    ? $" PRAGMA wal_autocheckpoint={4 * _walCheckpointPages}; PRAGMA journal_size_limit={4L * _walCheckpointPages * 4096};"
                    : "");
            await pragma.ExecuteNonQueryAsync(ct);
        }
        SqliteWaits.UseShortBusyWaits(lite, SqliteBusyTimeoutMs);
        return lite;
    }

    private static string SqliteConnectionString(string? configured)
    {
        var builder = new SqliteConnectionStringBuilder(string.IsNullOrWhiteSpace(configured) ? "Data Source=./data/threadline.db" : configured)
        {
            Pooling = true,
            DefaultTimeout = 30,
        };
        string? directory = Path.GetDirectoryName(Path.GetFullPath(builder.DataSource));
        if (!string.IsNullOrEmpty(directory) && builder.DataSource != ":memory:")
            Directory.CreateDirectory(directory);
        return builder.ToString();
    }

    /// <summary><paramref name="inboxPath"/> (<c>Storage:InboxPath</c>), or beside the main store:
    /// <c>./data/threadline.db</c> → <c>./data/threadline.inbox.db</c>.</summary>
    private static string SqliteInboxConnectionString(string main, string? inboxPath)
    {
        var builder = new SqliteConnectionStringBuilder(main);
        if (builder.DataSource == ":memory:" || string.IsNullOrEmpty(builder.DataSource))
            throw new InvalidOperationException("Threadline's SQLite store must be a file: the durable inbox lives beside it.");
        if (string.IsNullOrWhiteSpace(inboxPath))
        {
            string directory = Path.GetDirectoryName(builder.DataSource) ?? "";
            builder.DataSource = Path.Combine(directory, Path.GetFileNameWithoutExtension(builder.DataSource) + ".inbox" + Path.GetExtension(builder.DataSource));
            return builder.ToString();
        }
        if (string.Equals(Path.GetFullPath(inboxPath), Path.GetFullPath(builder.DataSource), StringComparison.Ordinal))
            throw new InvalidOperationException("Storage:InboxPath must not be the main store's file: the inbox is a database of its own.");
        string? inboxDirectory = Path.GetDirectoryName(Path.GetFullPath(inboxPath));
        if (!string.IsNullOrEmpty(inboxDirectory)) Directory.CreateDirectory(inboxDirectory);
        builder.DataSource = inboxPath;
        return builder.ToString();
    }

    private static string PostgresConnectionString(string? configured)
    {
        if (string.IsNullOrWhiteSpace(configured))
            throw new InvalidOperationException("Storage:ConnectionString is required when Storage:Provider is 'postgres'.");
        var builder = new NpgsqlConnectionStringBuilder(configured);
        // Synchronous commit is PostgreSQL's default; set it explicitly so a server-wide 'off' cannot weaken our promise.
        builder.Options = string.IsNullOrEmpty(builder.Options) ? "-c synchronous_commit=on" : builder.Options + " -c synchronous_commit=on";
        return builder.ToString();
    }
}
