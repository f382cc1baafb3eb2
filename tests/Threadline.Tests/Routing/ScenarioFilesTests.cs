using Threadline.Pipeline.Replay;
using Threadline.Pipeline.Routing.Rules;

namespace Threadline.Tests.Routing;

/// <summary>
/// Every scenario file (the shared examples in <c>../shared/scenarios</c> when present, and the repository's own in
/// <c>tests/scenarios</c>) replayed through the decision stages and compared with its <c>expect</c>: one case per file.
/// </summary>
public class ScenarioFilesTests
{
    private static string RepoRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Threadline.slnx"))) return dir.FullName;
            throw new InvalidOperationException($"no Threadline.slnx above {AppContext.BaseDirectory}");
        }
    }

    private static string OwnFolder => Path.Combine(RepoRoot, "tests", "scenarios");

    private static string SharedFolder => Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "scenarios"));

    /// <summary>Scenario files as paths relative to the repository root ("tests/scenarios/x.json", "../shared/scenarios/y.json").</summary>
    public static TheoryData<string> Files => new(FileNames());

    private static List<string> FileNames() =>
        new[] { SharedFolder, OwnFolder }.Where(Directory.Exists)
            .SelectMany(folder => Directory.EnumerateFiles(folder, "*.json").Order(StringComparer.Ordinal))
            .Select(file => Path.GetRelativePath(RepoRoot, file).Replace('\\', '/'))
            .ToList();

    [Theory]
    [MemberData(nameof(Files))]
    public void Replay_ScenarioFile_MatchesItsExpectations(string file)
    {
        var path = Path.GetFullPath(Path.Combine(RepoRoot, file));
        var scenario = Scenario.Parse(File.ReadAllText(path));
        Assert.Equal(Path.GetFileNameWithoutExtension(path), scenario.Name);
        Assert.NotNull(scenario.Expect);
        Assert.NotEmpty(scenario.Expect!);

        var decision = ScenarioReplay.Run(scenario, RuleSet.Default);
        var actual = ScenarioReplay.ToJson(decision);
        var failures = ScenarioReplay.Check(actual, scenario.Expect);
        Assert.True(failures.Count == 0,
            $"{file}:\n  {string.Join("\n  ", failures)}\nreasons:\n  {string.Join("\n  ", decision.Reasons)}");
    }

    [Fact]
    public void Files_RepositoryScenarios_ExistAndAreNotEmpty()
    {
        Assert.True(Directory.Exists(OwnFolder), $"{OwnFolder} is missing");
        var files = Directory.GetFiles(OwnFolder, "*.json");
        Assert.NotEmpty(files);
        var listed = FileNames();
        Assert.All(files, f => Assert.Contains(Path.GetRelativePath(RepoRoot, f).Replace('\\', '/'), listed));
    }
}
