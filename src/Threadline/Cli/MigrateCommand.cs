using System.CommandLine;
using Microsoft.Extensions.Logging.Abstractions;
using Threadline.Store.Migrations;

namespace Threadline.Cli;

/// <summary><c>threadline migrate</c>: applies pending schema migrations and exits (the server also does this at start).</summary>
public static class MigrateCommand
{
    public static Command Create()
    {
        var command = new Command("migrate", "Apply pending database migrations to the configured store and exit.");
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(async (parse, ct) =>
        {
            var db = CliStore.Open(parse.UnmatchedTokens.ToArray());
            int applied = await new MigrationRunner(db, TimeProvider.System, NullLogger<MigrationRunner>.Instance).ApplyAsync(ct);
            Console.WriteLine($"{db.Describe()}: {applied} migration(s) applied.");
            return 0;
        });
        return command;
    }
}
