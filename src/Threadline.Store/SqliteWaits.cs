using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;

namespace Threadline.Store;

/// <summary>
/// Gives SQLite's waits millisecond granularity. The SQLite that <c>SQLitePCLRaw.bundle_e_sqlite3</c> 2.0.6 bundles (the
/// newest served here; SQLite 3.35.5) was compiled without <c>HAVE_USLEEP</c>, so every pause SQLite takes lasts whole
/// seconds: a reader that finds the write-ahead log being started over retries, and from its sixth try sleeps "1 µs",
/// which is <c>sleep(1)</c>; the busy handler behind <c>busy_timeout</c> sleeps a second per try. One such pause in the
/// inbox writer holds every webhook acknowledgement for a second (seen in <c>bench ingest</c>: p99 921 ms in one run).
/// <list type="bullet">
/// <item><see cref="Install"/> registers, as SQLite's default, a copy of its own Unix VFS whose <c>xSleep</c> sleeps the
/// time asked for (rounded up to a millisecond, never shorter: SQLite bounds its retries by their count).</item>
/// <item><see cref="UseShortBusyWaits"/> installs a busy handler on a connection with SQLite's own schedule for builds
/// that have <c>usleep</c> (1, 2, 5, 10, … 100 ms), up to the timeout, instead of one-second sleeps.</item>
/// </list>
/// Both go through SQLite's documented C API (<c>sqlite3_vfs_register</c>, <c>sqlite3_busy_handler</c>).
/// </summary>
public static unsafe partial class SqliteWaits
{
    private const string Library = "e_sqlite3";
    private static readonly object Gate = new();
    private static long _busyCalls, _sleeps, _sleptMs;

    /// <summary>True once the default VFS sleeps with millisecond granularity.</summary>
    public static bool Installed { get; private set; }

    /// <summary>How often a busy handler installed by <see cref="UseShortBusyWaits"/> was called (diagnostics and tests).</summary>
    public static long BusyCalls => Interlocked.Read(ref _busyCalls);

    /// <summary>How often SQLite paused through the VFS (WAL read retries, busy waits) and for how many milliseconds in all.</summary>
    public static (long Pauses, long Milliseconds) Pauses => (Interlocked.Read(ref _sleeps), Interlocked.Read(ref _sleptMs));

    /// <summary>Makes the default VFS sleep in milliseconds (once per process; connections opened before keep the old one).</summary>
    internal static void Install()
    {
        lock (Gate)
        {
            if (Installed || !OperatingSystem.IsLinux()) return;
            var unix = sqlite3_vfs_find(null);
            // Only SQLite's own Unix VFS, version 3 (the layout copied below), is replaced.
            if (unix == null || unix->iVersion < 3 || Marshal.PtrToStringUTF8((nint)unix->zName) != "unix") return;
            // Lives as long as the process: SQLite keeps the pointer.
            var copy = (Vfs*)NativeMemory.AllocZeroed((nuint)sizeof(Vfs));
            *copy = *unix;
            copy->pNext = null;
            copy->xSleep = &Sleep;
            if (sqlite3_vfs_register(copy, makeDefault: 1) != 0)
            {
                NativeMemory.Free(copy);
                return;
            }
            Installed = true;
        }
    }

    /// <summary>Replaces the connection's busy handler: SQLite's short-sleep schedule, giving up after <paramref name="timeoutMs"/>.</summary>
    internal static void UseShortBusyWaits(SqliteConnection connection, int timeoutMs)
    {
        int rc = sqlite3_busy_handler(connection.Handle!.DangerousGetHandle(), &Busy, timeoutMs);
        if (rc != 0) throw new InvalidOperationException($"sqlite3_busy_handler failed with {rc}.");
    }

    /// <summary>
    /// How long to wait before try <paramref name="count"/> + 2 of a busy lock (SQLite's <c>sqliteDefaultBusyCallback</c>
    /// for builds with <c>usleep</c>): 1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50 and then 100 ms, the last wait cut so
    /// that all of them add up to <paramref name="timeoutMs"/>; null once the timeout is used up (SQLite returns BUSY).
    /// </summary>
    internal static int? BusyDelayMs(int count, int timeoutMs)
    {
        int delay, prior;
        if (count < Delays.Length) (delay, prior) = (Delays[count], Totals[count]);
        else (delay, prior) = (Delays[^1], Totals[^1] + Delays[^1] * Math.Min(count - (Delays.Length - 1), int.MaxValue / 200));
        if (prior + delay > timeoutMs)
        {
            delay = timeoutMs - prior;
            if (delay <= 0) return null;
        }
        return delay;
    }

    private static readonly int[] Delays = [1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100];
    // What was waited before each of them: 0, 1, 3, 8, … 228.
    private static readonly int[] Totals = Delays.Select((_, k) => Delays.Take(k).Sum()).ToArray();

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int Busy(nint timeoutMs, int count)
    {
        Interlocked.Increment(ref _busyCalls);
        if (BusyDelayMs(count, (int)timeoutMs) is not { } ms) return 0;
        Thread.Sleep(ms);
        return 1;
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int Sleep(Vfs* vfs, int microseconds)
    {
        int ms = (int)Math.Min(((long)Math.Max(0, microseconds) + 999) / 1000, int.MaxValue / 1000);
        Interlocked.Increment(ref _sleeps);
        Interlocked.Add(ref _sleptMs, ms);
        Thread.Sleep(ms);
        return ms * 1000;
    }

    /// <summary>SQLite's <c>sqlite3_sleep</c>: sleeps through the default VFS and returns the milliseconds it slept.</summary>
    [LibraryImport(Library, EntryPoint = "sqlite3_sleep")]
    internal static partial int NativeSleep(int milliseconds);

    [LibraryImport(Library)]
    private static partial Vfs* sqlite3_vfs_find(byte* name);

    [LibraryImport(Library)]
    private static partial int sqlite3_vfs_register(Vfs* vfs, int makeDefault);

    [LibraryImport(Library)]
    private static partial int sqlite3_busy_handler(nint db, delegate* unmanaged[Cdecl]<nint, int, int> handler, nint argument);

    /// <summary><c>struct sqlite3_vfs</c>, version 3 (sqlite3.h).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct Vfs
    {
        public int iVersion;
        public int szOsFile;
        public int mxPathname;
        public Vfs* pNext;
        public byte* zName;
        public void* pAppData;
        public void* xOpen;
        public void* xDelete;
        public void* xAccess;
        public void* xFullPathname;
        public void* xDlOpen;
        public void* xDlError;
        public void* xDlSym;
        public void* xDlClose;
        public void* xRandomness;
        public delegate* unmanaged[Cdecl]<Vfs*, int, int> xSleep;
        public void* xCurrentTime;
        public void* xGetLastError;
        public void* xCurrentTimeInt64;
        public void* xSetSystemCall;
        public void* xGetSystemCall;
        public void* xNextSystemCall;
    }
}
