using Threadline.Bench;

namespace Threadline.IntegrationTests.Bench;

/// <summary><c>threadline bench disk</c> on the real disk: every row measured, and nothing left behind.</summary>
public sealed class DiskBenchmarkTests
{
    [Fact]
    public async Task Measures_every_kind_of_flush_and_deletes_its_scratch_files()
    {
        string directory = Path.Combine(Path.GetTempPath(), "threadline-tests", Guid.NewGuid().ToString("N"));
        var lines = new List<string>();
        try
        {
            var rows = await new DiskBenchmark(directory, lines.Add, fileMiB: 32, appends: 20).RunAsync(CancellationToken.None);

            Assert.Equal(8, rows.Count);
            Assert.Equal(2, rows.Count(r => r.What.StartsWith("8 KiB append", StringComparison.Ordinal) && r.Repeats == 20));
            Assert.All(rows, r => Assert.True(r.P50 > TimeSpan.Zero && r.P50 <= r.P99 && r.P99 <= r.Max, $"{r}"));
            Assert.Equal(rows.Count, lines.Count(l => l.Contains("p99", StringComparison.Ordinal)));
            Assert.Empty(Directory.EnumerateFileSystemEntries(directory));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
