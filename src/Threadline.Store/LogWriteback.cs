using Microsoft.Win32.SafeHandles;

namespace Threadline.Store;

/// <summary>
/// SQLite, Linux: writes the frames that commits append to a write-ahead log out to the disk a slice at a time, soon
/// after they are written, instead of leaving them in the page cache until the next fsync of the log.
/// <para>
/// The inbox worker's commits to the main store skip their fsync (<c>synchronous=NORMAL</c>); the log is synced every
/// ~50 ms before inbox rows are marked processed (<see cref="Inbox.ProcessedMarks"/>) and at each checkpoint. At 5,000
/// webhooks/s that sync sent ~3.5 MiB to the disk at once, and on a disk that finishes what was written before a flush,
/// the inbox's fsyncs beside it (every webhook acknowledgement waits for one) took 4 ms and more (measured with the
/// block layer's trace: README → Performance, twelfth session). Written out here as it comes, one slice in flight at a
/// time, the sync finds little left to write. Durability does not depend on this: the fsyncs still do that.
/// </para>
/// <para>
/// How far commits have written is read from the log itself, a documented format (sqlite.org/fileformat2.html, "WAL
/// file format"): the header's salts (bytes 16–23) are drawn anew each time the log starts over, and every frame of the
/// current log repeats them (bytes 8–15 of its 24-byte header), from the first frame on. Frames beyond the last one
/// written, left from an earlier and longer log, carry other salts; so the end of the current log is found by bisection.
/// The handle is our own, read-only, and safe to close: SQLite takes its locks on the database and -shm files, never on
/// the log. Where this is not Linux nothing is written out, and the syncs do it all as before.
/// </para>
/// </summary>
public sealed class LogWriteback(string logPath, TimeProvider clock) : IDisposable
{
    private const int PageBytes = 4096;

    /// <summary>How often the log is opened again: a log deleted (by the last connection's close) and created anew is a
    /// new file, which a handle on the old one would never see.</summary>
    private static readonly TimeSpan ReopenEvery = TimeSpan.FromSeconds(1);

    private readonly byte[] _salts = new byte[8];
    private SafeFileHandle? _log;
    private long _openedAt, _writtenTo;

    /// <summary>How far (bytes from the start of the log) frames were written out.</summary>
    internal long WrittenTo => _writtenTo;

    /// <summary>
    /// Writes out what commits appended since the last call, in slices of <paramref name="framesPerSlice"/> frames, at most
    /// <paramref name="maxSlices"/> of them, each waited for before the next is started; returns the bytes written out (0
    /// when there is no log, or nothing new in it). The page holding the end of the log waits for the next call, as the
    /// next commit writes on into it. Throws <see cref="IOException"/> when the system refuses to write the log out.
    /// </summary>
    public long Push(int framesPerSlice, int maxSlices)
    {
        if (!OperatingSystem.IsLinux()) return 0;
        if (_log is null || clock.GetElapsedTime(_openedAt) >= ReopenEvery)
        {
            Close();
            try
            {
                _log = File.OpenHandle(logPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                _openedAt = clock.GetTimestamp();
            }
            catch (FileNotFoundException)
            {
                return 0; // no log (yet, or any more)
            }
        }
        try
        {
            Span<byte> salts = stackalloc byte[8];
            if (!WalFile.TryReadHeader(_log, salts, out int pageSize)) return 0; // new, empty log
            if (!salts.SequenceEqual(_salts))
            {
                // The log started over (or is new to us): its frames are written from the start again.
                salts.CopyTo(_salts);
                _writtenTo = 0;
            }
            long end = End(pageSize) / PageBytes * PageBytes, written = 0, slice = (long)framesPerSlice * (WalFile.FrameHeaderBytes + pageSize);
            for (int i = 0; i < maxSlices && _writtenTo < end; i++)
            {
                long n = Math.Min(slice, end - _writtenTo);
                WalFile.WriteOut((int)_log.DangerousGetHandle(), _writtenTo, n, logPath); // one slice on the disk at a time
                _writtenTo += n;
                written += n;
            }
            return written;
        }
        catch
        {
            Close();
            throw;
        }
    }

    /// <summary>
    /// Where the current log's frames end (bytes): the first frame at or after the point written out so far whose salts
    /// are not the header's, or the end of the file. Frames below <see cref="_writtenTo"/> are of the current log.
    /// </summary>
    private long End(int pageSize)
    {
        long frame = WalFile.FrameHeaderBytes + pageSize;
        long lo = Math.Max(0, (_writtenTo - WalFile.HeaderBytes) / frame), hi = Math.Max(lo, (RandomAccess.GetLength(_log!) - WalFile.HeaderBytes) / frame);
        Span<byte> salts = stackalloc byte[8];
        // Frames below lo are of the current log; frames at or above hi are not (or do not exist).
        while (lo < hi)
        {
            long mid = lo + (hi - lo) / 2;
            if (RandomAccess.Read(_log!, salts, WalFile.HeaderBytes + mid * frame + WalFile.FrameSaltsOffset) == 8 && salts.SequenceEqual(_salts)) lo = mid + 1;
            else hi = mid;
        }
        return WalFile.HeaderBytes + lo * frame;
    }

    private void Close()
    {
        _log?.Dispose();
        _log = null;
    }

    public void Dispose() => Close();
}
