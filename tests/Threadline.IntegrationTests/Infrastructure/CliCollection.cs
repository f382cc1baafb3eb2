namespace Threadline.IntegrationTests.Infrastructure;

/// <summary>
/// Tests that run CLI verbs with live displays (progress bars): Spectre.Console allows one live display per process at
/// a time, so these never run in parallel with each other.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class CliCollection
{
    public const string Name = "CLI with live displays";
}
