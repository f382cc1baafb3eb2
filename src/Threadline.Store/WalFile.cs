using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Threadline.Store;

/// <summary>
/// SQLite's write-ahead log as a file (sqlite.org/fileformat2.html, "WAL file format"), for the paced checkpoints and
/// the log's writeback: the header, whose salts SQLite draws anew each time the log starts over, and the frames; and
/// writing a range of a file out to the disk and waiting for it.
/// </summary>
internal static partial class WalFile
{
    /// <summary>Bytes of the log's header, and of each frame's header before its page.</summary>
    public const int HeaderBytes = 32, FrameHeaderBytes = 24;

    /// <summary>Where each frame's header repeats the log header's salts (8 bytes).</summary>
    public const int FrameSaltsOffset = 8;

    /// <summary>
    /// Reads the log's page size and its salts (bytes 16–23) into <paramref name="salts"/>; false when the log is empty or
    /// not (yet) a log.
    /// </summary>
    public static bool TryReadHeader(SafeFileHandle log, Span<byte> salts, out int pageSize)
    {
        Span<byte> header = stackalloc byte[HeaderBytes];
        pageSize = 0;
        if (RandomAccess.Read(log, header, 0) != HeaderBytes) return false;
        pageSize = (int)BinaryPrimitives.ReadUInt32BigEndian(header[8..]);
        if (pageSize is < 512 or > 65536 || (pageSize & (pageSize - 1)) != 0) return false;
        header[16..24].CopyTo(salts);
        return true;
    }

    /// <summary>
    /// Writes <paramref name="length"/> bytes of the file from <paramref name="offset"/> (0: to its end) out to the disk:
    /// waits for earlier writeback of the range, starts it, waits for it (<c>sync_file_range</c>), so that one range is
    /// on the disk at a time. Not a sync: it leaves the file's metadata and the device's cache alone.
    /// </summary>
    public static void WriteOut(int fd, long offset, long length, string path)
    {
        if (sync_file_range(fd, offset, length, 1 | 2 | 4) != 0)
            throw new IOException($"sync_file_range of {path} failed (errno {Marshal.GetLastPInvokeError()}).");
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int sync_file_range(int fd, long offset, long nbytes, uint flags);
}
