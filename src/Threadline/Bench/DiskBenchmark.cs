using System.Diagnostics;
using Microsoft.Win32.SafeHandles;

namespace Threadline.Bench;

/// <summary>One row of <see cref="DiskBenchmark"/>: a kind of write followed by a flush, and how long the flush took.</summary>
public sealed record DiskFlush(string What, int Repeats, TimeSpan P50, TimeSpan P99, TimeSpan Max);

/// <summary>
/// What the disk under the store does with the two kinds of writes Threadline makes: the inbox's small appends, each
/// made durable by its own flush (the acknowledgement waits for it), and the main store's checkpoints, which copy pages
/// scattered all over the database file and flush them. On a virtual disk a flush is for the whole device, so the
/// small flush also waits for whatever the big writes left unflushed. <c>threadline bench disk</c> measures the flush of
/// a small append alone and beside scattered page writes, and the flush of scattered and of sequential writes of a
/// few sizes, in a scratch file in the store's folder (deleted afterwards).
/// </summary>
/// <param name="fileMiB">Size of the scratch file the scattered writes land in (default 256 MiB: larger than a disk's cache of recent writes is not needed, smaller than the store usually is).</param>
/// <param name="appends">Small appends measured in each of the two append rows.</param>
public sealed class DiskBenchmark(string directory, Action<string> log, int fileMiB = 256, int appends = 500)
{
    private const int Page = 4096;
    private readonly long FileBytes = (long)Math.Max(fileMiB, 32) << 20;

    public Task<IReadOnlyList<DiskFlush>> RunAsync(CancellationToken ct) => Task.Run(() => Run(ct), ct);

    private IReadOnlyList<DiskFlush> Run(CancellationToken ct)
    {
        Directory.CreateDirectory(directory);
        string big = Path.Combine(directory, $"threadline-disk-{Guid.NewGuid():N}.scratch");
        string small = big + ".log";
        var rows = new List<DiskFlush>();
        try
        {
            using var data = File.OpenHandle(big, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, FileOptions.None, FileBytes);
            using var appendLog = File.OpenHandle(small, FileMode.CreateNew, FileAccess.ReadWrite);
            log($"Writing a {FileBytes >> 20} MiB scratch file in {directory}…");
            byte[] chunk = new byte[1 << 20];
            Random.Shared.NextBytes(chunk);
            for (long offset = 0; offset < FileBytes; offset += chunk.Length) RandomAccess.Write(data, chunk, offset);
            RandomAccess.FlushToDisk(data);

            rows.Add(Measure("8 KiB append + flush, disk otherwise idle", appends, () => Append(appendLog), ct));
            using (var scattered = new ScatteredWriter(this, data))
                rows.Add(Measure("8 KiB append + flush, beside scattered page writes + flushes", appends, () => Append(appendLog), ct));
            foreach (int mib in new[] { 1, 4, 16 })
                rows.Add(Measure($"flush of {mib} MiB in scattered 4 KiB pages", 5, () => Flush(data, () => WriteScattered(data, mib * 256)), ct));
            foreach (int mib in new[] { 1, 4, 16 })
                rows.Add(Measure($"flush of {mib} MiB written sequentially", 5, () => Flush(data, () => WriteSequential(data, chunk, mib)), ct));
        }
        finally
        {
            File.Delete(big);
            File.Delete(small);
        }
        return rows;
    }

    private long _appendOffset;

    private TimeSpan Append(SafeFileHandle log)
    {
        Span<byte> record = stackalloc byte[8192];
        record.Fill(0x42);
        RandomAccess.Write(log, record, _appendOffset);
        _appendOffset += record.Length;
        long start = Stopwatch.GetTimestamp();
        RandomAccess.FlushToDisk(log);
        return Stopwatch.GetElapsedTime(start);
    }

    private TimeSpan Flush(SafeFileHandle data, Action write)
    {
        write();
        long start = Stopwatch.GetTimestamp();
        RandomAccess.FlushToDisk(data);
        return Stopwatch.GetElapsedTime(start);
    }

    private void WriteScattered(SafeFileHandle data, int pages)
    {
        Span<byte> page = stackalloc byte[Page];
        Random.Shared.NextBytes(page);
        for (int i = 0; i < pages; i++) RandomAccess.Write(data, page, Random.Shared.NextInt64(FileBytes / Page) * Page);
    }

    private void WriteSequential(SafeFileHandle data, byte[] chunk, int mib)
    {
        long start = Random.Shared.NextInt64((FileBytes >> 20) - mib) << 20;
        for (int i = 0; i < mib; i++) RandomAccess.Write(data, chunk, start + ((long)i << 20));
    }

    private DiskFlush Measure(string what, int repeats, Func<TimeSpan> once, CancellationToken ct)
    {
        var times = new List<TimeSpan>(repeats);
        for (int i = 0; i < repeats; i++)
        {
            ct.ThrowIfCancellationRequested();
            times.Add(once());
        }
        times.Sort();
        var row = new DiskFlush(what, repeats, times[times.Count / 2], times[Math.Min(times.Count - 1, (int)Math.Ceiling(times.Count * 0.99) - 1)], times[^1]);
        log($"{what}: p50 {row.P50.TotalMilliseconds:N2} ms, p99 {row.P99.TotalMilliseconds:N2} ms");
        return row;
    }

    /// <summary>In the background until disposed: 256 scattered page writes (1 MiB), a flush, a short rest: roughly what
    /// the main store's checkpointer does while the inbox worker runs.</summary>
    private sealed class ScatteredWriter : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Thread _thread;

        public ScatteredWriter(DiskBenchmark bench, SafeFileHandle data)
        {
            _thread = new Thread(() =>
            {
                while (!_stop.IsCancellationRequested)
                {
                    bench.WriteScattered(data, 256);
                    RandomAccess.FlushToDisk(data);
                    Thread.Sleep(5);
                }
            }) { IsBackground = true, Name = "disk bench writer" };
            _thread.Start();
        }

        public void Dispose()
        {
            _stop.Cancel();
            _thread.Join();
            _stop.Dispose();
        }
    }
}
