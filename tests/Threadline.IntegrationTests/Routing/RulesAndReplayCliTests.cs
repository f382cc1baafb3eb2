using Microsoft.Extensions.Options;
using Threadline.Cli;
using Threadline.IntegrationTests.Infrastructure;

namespace Threadline.IntegrationTests.Routing;

[Collection(CliCollection.Name)]
public sealed class SqliteRulesAndReplayCliTests() : RulesAndReplayCliTests(StoreKind.Sqlite);
[Collection(CliCollection.Name)]
public sealed class PostgresRulesAndReplayCliTests() : RulesAndReplayCliTests(StoreKind.Postgres);

/// <summary>Rules are data a business edits: mistakes are refused with their line, at start-up and by the CLI; scenarios replay through the CLI.</summary>
public abstract class RulesAndReplayCliTests(StoreKind store)
{
    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Threadline.slnx"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
    }

    private static string BadRules()
    {
        string path = Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N") + ".yaml");
        File.WriteAllText(path, """
            version: 1
            languages:
              en: { countries: [GB], markers: [the] }
            intents:
              - intent: complaint
                any:
                  en: ['re:(unclosed']
              - intent: greeting
                only:
                  fr: [bonjour]
            """);
        return path;
    }

    [Fact]
    public async Task ServerStart_RefusesARulesFileWithMistakes_NamingTheLines()
    {
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => ThreadlineHost.StartAsync(store, new Dictionary<string, string?> { ["Routing:RulesFile"] = BadRules() }));
        Assert.Contains(":7:", ex.Message);   // the regular expression that does not compile
        Assert.Contains(":10:", ex.Message);  // the language that is not defined
    }

    [Fact]
    public async Task RulesCheck_ExitsNonZeroForMistakes_AndZeroForTheShippedRules()
    {
        Assert.Equal(1, await CliRoot.Create().Parse(["rules", "check", BadRules()]).InvokeAsync());
        string shipped = Path.Combine(RepoRoot(), "src", "Threadline.Pipeline", "Routing", "Rules", "default-rules.yaml");
        Assert.Equal(0, await CliRoot.Create().Parse(["rules", "check", shipped]).InvokeAsync());
    }

    [Fact]
    public async Task Replay_OurScenarioFolder_MeetsEveryExpectation_AndABrokenFileIsReported()
    {
        Assert.Equal(0, await CliRoot.Create().Parse(["replay", Path.Combine(RepoRoot(), "tests", "scenarios")]).InvokeAsync());
        string broken = Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N") + ".json");
        await File.WriteAllTextAsync(broken, """{ "name": "x", "messages": [] }""");
        Assert.Equal(2, await CliRoot.Create().Parse(["replay", broken]).InvokeAsync());
    }
}
