using Threadline.Bench;
using Threadline.IntegrationTests.Infrastructure;

namespace Threadline.IntegrationTests.Bench;

public sealed class SqlitePipelineBenchmarkTests() : PipelineBenchmarkTests(StoreKind.Sqlite);
public sealed class PostgresPipelineBenchmarkTests() : PipelineBenchmarkTests(StoreKind.Postgres);

/// <summary>
/// <c>threadline bench pipeline</c>, small, on each store: the seeded contacts take the measured messages (their ids and
/// sequences agree, also on PostgreSQL), and every measured message gets its stored decision. Speed is not asserted here
/// (see README → Performance).
/// </summary>
public abstract class PipelineBenchmarkTests(StoreKind store) : ScratchDirectory
{
    [Fact]
    public async Task Every_measured_message_gets_its_decision_on_a_seeded_store()
    {
        var lines = new List<string>();
        var report = await new PipelineBenchmark(contacts: 300, messages: 400, lines.Add, warmup: 0,
            await TestDatabases.CreateAsync(store, Directory)).RunAsync(CancellationToken.None);

        Assert.Equal(400, report.Decisions);
        Assert.InRange(report.Assigned, 1, 400);
        Assert.True(report.Rate > 0 && report.CaptureOnlyRate > 0);
        Assert.Contains(lines, l => l.StartsWith("Seeded 300 contacts", StringComparison.Ordinal));
        Assert.StartsWith(store == StoreKind.Sqlite ? "sqlite" : "postgres", report.Store);
        Assert.Equal(store == StoreKind.Sqlite, report.DiskBytesPerMessage is not null || !OperatingSystem.IsLinux());
        // Parsing a body alone allocates more than a kibibyte: a zero here would mean the meter is not reading.
        Assert.True(report.AllocatedBytesPerMessage > 1024, $"{report.AllocatedBytesPerMessage} bytes allocated per message");
    }
}
