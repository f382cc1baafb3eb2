using System.CommandLine;
using Threadline.Pipeline.Routing.Rules;

namespace Threadline.Cli;

/// <summary><c>threadline rules check FILE</c> and <c>threadline rules show</c>: validate a rules file, print the built-in one.</summary>
public static class RulesCommand
{
    public static Command Create()
    {
        var file = new Argument<FileInfo>("FILE") { Description = "The rules file (YAML) to check." };
        var check = new Command("check", "Validate a rules file; every mistake is printed with its line.") { file };
        check.SetAction(parse => LoadOrReport(parse.GetValue(file)!.FullName) is null ? 1 : Ok(parse.GetValue(file)!.FullName));
        var show = new Command("show", "Print the built-in rules (a starting point for your own file).");
        show.SetAction(_ =>
        {
            Console.Write(RuleSet.DefaultYaml());
            return 0;
        });
        var rules = new Command("rules", "Message-understanding rules: languages, intents, urgency cues.");
        rules.Subcommands.Add(check);
        rules.Subcommands.Add(show);
        return rules;
    }

    private static int Ok(string path)
    {
        Console.WriteLine($"{path}: ok");
        return 0;
    }

    /// <summary>The rules at <paramref name="path"/> (the built-in ones when null); null after printing every error.</summary>
    public static RuleSet? LoadOrReport(string? path)
    {
        if (string.IsNullOrWhiteSpace(path)) return RuleSet.Default;
        if (!File.Exists(path))
        {
            Console.Error.WriteLine($"No such rules file: {path}");
            return null;
        }
        var load = RuleSetLoader.Load(path);
        foreach (var error in load.Errors) Console.Error.WriteLine(error);
        return load.Rules;
    }
}
