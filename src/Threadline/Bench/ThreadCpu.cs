namespace Threadline.Bench;

/// <summary>
/// CPU time of this process's threads grouped by thread name, from <c>/proc/self/task/*/stat</c> (Linux; empty
/// elsewhere). On two shared cores the question behind a latency tail is often who had the CPU: the inbox worker, the
/// thread pool (Kestrel, the load generator), the garbage collector or the JIT. Resolution is the kernel's clock tick
/// (10 ms), so it is meant for runs of seconds, and a thread that ended between two snapshots is not counted (the
/// server's threads live as long as it does). Beside the CPU, how long each kind of thread was ready to run but waited
/// for a core (<c>/proc/self/task/*/schedstat</c>, nanoseconds): for a thread on the acknowledgement's path, that wait
/// is latency the request pays though no code of ours runs.
/// </summary>
public sealed class ThreadCpu
{
    private readonly Dictionary<string, TimeSpan> _byName;
    private readonly Dictionary<string, TimeSpan> _waitByName;

    private ThreadCpu(Dictionary<string, TimeSpan> byName, Dictionary<string, TimeSpan> waitByName) => (_byName, _waitByName) = (byName, waitByName);

    /// <summary>CPU time (and time waiting for a core) so far, per thread name (threads with the same name summed).</summary>
    public static ThreadCpu Take()
    {
        var byName = new Dictionary<string, TimeSpan>();
        var waitByName = new Dictionary<string, TimeSpan>();
        const string root = "/proc/self/task";
        if (!Directory.Exists(root)) return new ThreadCpu(byName, waitByName);
        foreach (var task in Directory.EnumerateDirectories(root))
        {
            string stat;
            string? schedstat;
            try
            {
                stat = File.ReadAllText(Path.Combine(task, "stat"));
                string schedPath = Path.Combine(task, "schedstat");
                schedstat = File.Exists(schedPath) ? File.ReadAllText(schedPath) : null;
            }
            catch (IOException) { continue; } // the thread ended meanwhile
            if (Parse(stat) is not var (name, cpu)) continue;
            byName[name] = byName.GetValueOrDefault(name) + cpu;
            if (schedstat is not null && ParseRunqueueWait(schedstat) is { } wait) waitByName[name] = waitByName.GetValueOrDefault(name) + wait;
        }
        return new ThreadCpu(byName, waitByName);
    }

    /// <summary>The time spent ready to run but waiting for a core, from a <c>schedstat</c> line: <c>run_ns wait_ns slices</c>.</summary>
    internal static TimeSpan? ParseRunqueueWait(string schedstat)
    {
        var fields = schedstat.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return fields.Length >= 2 && long.TryParse(fields[1], out long ns) && ns >= 0 ? TimeSpan.FromTicks(ns / 100) : null;
    }

    /// <summary>
    /// CPU time so far of every process on this machine whose command name is <paramref name="command"/> (from
    /// <c>/proc/[pid]/stat</c>), summed; null where there is no <c>/proc</c> or no such process. For a database on the
    /// same machine: PostgreSQL's backends, writers and autovacuum all run as "postgres". A process that ends between two
    /// snapshots is not counted.
    /// </summary>
    public static TimeSpan? OfProcesses(string command, string proc = "/proc")
    {
        if (!Directory.Exists(proc)) return null;
        TimeSpan? total = null;
        foreach (var dir in Directory.EnumerateDirectories(proc))
        {
            if (!Path.GetFileName(dir).All(char.IsAsciiDigit)) continue;
            string stat;
            try { stat = File.ReadAllText(Path.Combine(dir, "stat")); }
            catch (IOException) { continue; }                 // the process ended meanwhile
            catch (UnauthorizedAccessException) { continue; }
            if (Parse(stat) is var (name, cpu) && name == command) total = (total ?? TimeSpan.Zero) + cpu;
        }
        return total;
    }

    /// <summary>The name and user + system time of one <c>stat</c> line: <c>pid (comm) state … utime stime …</c>.</summary>
    internal static (string Name, TimeSpan Cpu)? Parse(string stat)
    {
        int open = stat.IndexOf('('), close = stat.LastIndexOf(')');
        if (open < 0 || close < open) return null;
        var fields = stat[(close + 2)..].Split(' ');
        // After the name: state is field 3, utime field 14, stime field 15 (1-based over the whole line).
        if (fields.Length < 13 || !long.TryParse(fields[11], out long user) || !long.TryParse(fields[12], out long system)) return null;
        const double ticksPerSecond = 100; // USER_HZ: 100 on every Linux the runtime supports
        return (Normalise(stat[(open + 1)..close]), TimeSpan.FromSeconds((user + system) / ticksPerSecond));
    }

    /// <summary>Threads of one kind share a line: ".NET TP Worker" and ".NET SvrGC #3" differ only by a number.</summary>
    private static string Normalise(string name) => name.TrimEnd('0', '1', '2', '3', '4', '5', '6', '7', '8', '9', ' ', '#');

    /// <summary>CPU time each kind of thread used between <paramref name="before"/> and this snapshot (only kinds that used some).</summary>
    public IReadOnlyDictionary<string, TimeSpan> UsedSince(ThreadCpu before) =>
        _byName.Select(kv => (kv.Key, Cpu: kv.Value - before._byName.GetValueOrDefault(kv.Key)))
            .Where(x => x.Cpu > TimeSpan.Zero).ToDictionary(x => x.Key, x => x.Cpu);

    /// <summary>Time each kind of thread waited for a core between <paramref name="before"/> and this snapshot (only kinds that waited).</summary>
    public IReadOnlyDictionary<string, TimeSpan> WaitedSince(ThreadCpu before) =>
        _waitByName.Select(kv => (kv.Key, Wait: kv.Value - before._waitByName.GetValueOrDefault(kv.Key)))
            .Where(x => x.Wait > TimeSpan.Zero).ToDictionary(x => x.Key, x => x.Wait);

    /// <summary>How long each kind of thread waited for a core between <paramref name="before"/> and this snapshot, most
    /// first, as shares of <paramref name="elapsed"/> and against its own CPU time; null where the system does not say.</summary>
    public string? DescribeWaitSince(ThreadCpu before, TimeSpan elapsed)
    {
        var used = UsedSince(before);
        var waited = WaitedSince(before).Select(kv => (Name: kv.Key, Wait: kv.Value)).OrderByDescending(x => x.Wait).ToList();
        if (waited.Count == 0) return null;
        return string.Join(", ", waited.Take(6).Select(x => $"{x.Name} {x.Wait.TotalSeconds / elapsed.TotalSeconds:P0}" +
            (used.GetValueOrDefault(x.Name) is { TotalMilliseconds: > 0 } cpu ? $" ({x.Wait / cpu:N1}× its CPU)" : "")));
    }

    /// <summary>What each kind of thread used between <paramref name="before"/> and this snapshot, most first, as shares of <paramref name="elapsed"/>.</summary>
    public string DescribeSince(ThreadCpu before, TimeSpan elapsed)
    {
        var used = UsedSince(before).Select(kv => (Name: kv.Key, Cpu: kv.Value)).OrderByDescending(x => x.Cpu).ToList();
        if (used.Count == 0) return "no per-thread CPU figures on this system";
        double total = used.Sum(x => x.Cpu.TotalSeconds) / elapsed.TotalSeconds;
        return $"{total:P0} of one core in all: " + string.Join(", ", used.Take(8).Select(x => $"{x.Name} {x.Cpu.TotalSeconds / elapsed.TotalSeconds:P0}"));
    }
}
