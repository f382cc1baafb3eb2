namespace Threadline.IntegrationTests.Infrastructure;

/// <summary>
/// Tests that count what the process-wide meters (<c>Threadline.Store</c>) record: another test's server would add its
/// own measurements, so these run alone.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MeasurementsCollection
{
    public const string Name = "Process-wide measurements";
}
