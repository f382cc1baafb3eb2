using System.ComponentModel.DataAnnotations;

namespace Threadline.Store;

/// <summary>Which database Threadline uses. Bound from the <c>Storage</c> configuration section.</summary>
public sealed class StorageOptions
{
    public const string Section = "Storage";

    /// <summary><c>sqlite</c> (embedded, the default) or <c>postgres</c> (several server instances).</summary>
    /// <value>The default value is <c>sqlite</c>.</value>
    [Required, RegularExpression("^(?i)(sqlite|postgres|postgresql)$", ErrorMessage = "Storage:Provider must be 'sqlite' or 'postgres'.")]
    public string Provider { get; set; } = "sqlite";

    /// <summary>ADO.NET connection string. For SQLite, when empty: <c>Data Source=./data/threadline.db</c>.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// SQLite only: where the durable inbox's database file lives. Empty (the default): beside the main store
    /// (<c>./data/threadline.db</c> → <c>./data/threadline.inbox.db</c>). Every acknowledgement waits for an fsync of this
    /// file, and on one disk those fsyncs queue behind the main store's checkpoint writes (see README → Performance); a
    /// path on a volume of its own keeps them apart. Back up both files.
    /// </summary>
    public string? InboxPath { get; set; }

    /// <summary>
    /// SQLite: while the server runs, a background checkpointer copies the main store's write-ahead log into the database
    /// file and has it start over once it holds this many pages (4 KiB each). Connections' own automatic checkpoint, which
    /// would do that work inside a commit, only steps in at four times this size.
    /// </summary>
    /// <value>The default value is 8,192 pages (32 MiB).</value>
    [Range(256, 1_048_576)]
    public int WalCheckpointPages { get; set; } = 8192;

    /// <summary>SQLite: how often the background checkpointer copies the main store's write-ahead log into the database
    /// file (and marks the inbox rows processed whose writes it made durable).</summary>
    /// <value>The default value is 50 ms.</value>
    [Range(5, 60_000)]
    public int CheckpointIntervalMs { get; set; } = 50;

    /// <summary>SQLite: how often the background checkpointer copies the main store's write-ahead log into the database
    /// file. With <see cref="PacedCheckpoints"/> the copy's writes are spread over most of the interval.</summary>
    /// <value>The default value is 250 ms.</value>
    [Range(10, 60_000)]
    public int MainCheckpointIntervalMs { get; set; } = 250;

    /// <summary>
    /// SQLite on Linux: checkpoints write the database file out in small slices with pauses between them, then sync it,
    /// while a reader keeps the log from starting over (<c>PacedCheckpoint</c>), instead of SQLite's copy and one
    /// burst of an fsync that the inbox's fsyncs, and so the webhook acknowledgements, queue behind.
    /// </summary>
    /// <value>The default value is true.</value>
    public bool PacedCheckpoints { get; set; } = true;

    /// <summary>SQLite: how many copied pages a paced checkpoint writes out to the disk at once.</summary>
    /// <value>The default value is 64 (256 KiB).</value>
    [Range(1, 65_536)]
    public int CheckpointSlicePages { get; set; } = 64;

    /// <summary>
    /// SQLite on Linux: how often the main store's new log frames are written out to the disk, a few slices of
    /// <see cref="CheckpointSlicePages"/> frames at a time (<c>LogWriteback</c>). The worker's commits skip their fsync;
    /// left in the page cache, ~3.5 MiB of log at 5,000 messages/s went to the disk at once at each sync of the log
    /// (every 50 ms), and the inbox fsyncs beside that burst, so the acknowledgements, waited for it. 0 turns it off.
    /// </summary>
    /// <value>The default value is 3 ms.</value>
    [Range(0, 1_000)]
    public int LogWritebackIntervalMs { get; set; } = 3;

    public StorageProvider ProviderKind =>
        Provider.StartsWith("postgres", StringComparison.OrdinalIgnoreCase) ? StorageProvider.Postgres : StorageProvider.Sqlite;
}

public enum StorageProvider { Sqlite, Postgres }
