using System.Globalization;

namespace Threadline.Bench;

/// <summary>What this process has sent to storage, for the benchmarks' "written per message" figures.</summary>
internal static class ProcessIo
{
    /// <summary>The process's <c>write_bytes</c> from <c>/proc/self/io</c> (both write-ahead logs, checkpoints into the
    /// database files); null where the OS does not say.</summary>
    public static long? BytesWritten()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/io"))
                if (line.StartsWith("write_bytes:", StringComparison.Ordinal))
                    return long.Parse(line.AsSpan("write_bytes:".Length).Trim(), CultureInfo.InvariantCulture);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return null;
    }
}
