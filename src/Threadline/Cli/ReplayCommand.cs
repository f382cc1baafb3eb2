using System.CommandLine;
using System.Text.Json;
using Spectre.Console;
using Threadline.Pipeline.Replay;
using Threadline.Pipeline.Routing.Rules;

namespace Threadline.Cli;

/// <summary>
/// <c>threadline replay FILE.json…</c>: runs the context, routing and follow-up stages over decision scenarios and
/// prints each decision as JSON. A scenario with an <c>expect</c> object is checked: differences go to stderr and the
/// exit code is 1. Several files (or a folder) print one table row per scenario instead.
/// </summary>
public static class ReplayCommand
{
    public static Command Create()
    {
        var files = new Argument<string[]>("FILE") { Description = "Scenario files (JSON) or folders of them.", Arity = ArgumentArity.OneOrMore };
        var rulesFile = new Option<FileInfo?>("--rules") { Description = "A rules file (YAML) instead of Routing:RulesFile or the built-in rules." };
        var json = new Option<bool>("--json") { Description = "Print every decision as JSON, also for several files." };
        var command = new Command("replay", "Run the decision stages over scenario files and print the decisions.") { files, rulesFile, json };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(parse =>
        {
            var rules = RulesCommand.LoadOrReport(parse.GetValue(rulesFile)?.FullName ?? CliStore.Configuration(parse.UnmatchedTokens.ToArray())["Routing:RulesFile"]);
            if (rules is null) return 2;
            var paths = parse.GetValue(files)!.SelectMany(p => Directory.Exists(p) ? Directory.GetFiles(p, "*.json").Order(StringComparer.Ordinal).ToArray() : new[] { p }).ToList();
            bool single = paths.Count == 1 || parse.GetValue(json);
            var table = new Table().AddColumns("scenario", "needsReply", "urgency", "handler", "assignee", "respondBy", "silence", "followUp", "expect");
            int failed = 0, broken = 0;
            foreach (var path in paths)
            {
                Scenario scenario;
                try
                {
                    scenario = Scenario.Parse(File.ReadAllText(path));
                }
                catch (Exception ex) when (ex is ScenarioException or IOException or UnauthorizedAccessException)
                {
                    Console.Error.WriteLine($"{path}: {ex.Message}");
                    broken++;
                    continue;
                }
                var decision = ScenarioReplay.ToJson(ScenarioReplay.Run(scenario, rules));
                var failures = ScenarioReplay.Check(decision, scenario.Expect);
                if (failures.Count > 0) failed++;
                foreach (var f in failures) Console.Error.WriteLine($"{scenario.Name}: {f}");
                if (single) Console.WriteLine(decision.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
                else table.AddRow(Markup.Escape(scenario.Name), $"{decision["needsReply"]}", $"{decision["urgency"]}", $"{decision["handler"]}",
                    Markup.Escape($"{decision["assignee"]}"), $"{decision["respondBy"]}", $"{decision["silence"]}",
                    Markup.Escape(decision["followUp"] is { } f2 ? $"{f2["at"]} {f2["kind"]}" : ""),
                    scenario.Expect is null ? "" : failures.Count == 0 ? "[green]pass[/]" : "[red]FAIL[/]");
            }
            if (!single)
            {
                AnsiConsole.Write(table);
                AnsiConsole.MarkupLine($"{paths.Count} scenario(s): {paths.Count - failed - broken} ok, {failed} not as expected, {broken} unreadable.");
            }
            return broken > 0 ? 2 : failed > 0 ? 1 : 0;
        });
        return command;
    }
}
