using System.CommandLine;
using Microsoft.Extensions.Options;

namespace Threadline.Cli;

/// <summary><c>threadline serve [--urls URL] [--Section:Key=value …]</c>: runs the server until Ctrl+C.</summary>
public static class ServeCommand
{
    public static Command Create()
    {
        var urls = new Option<string?>("--urls") { Description = "Addresses to listen on, e.g. http://0.0.0.0:5080 (default: ASPNETCORE_URLS, else http://localhost:5000)." };
        var command = new Command("serve", "Run the Threadline server: webhook endpoint, inbox worker and REST API.")
        {
            urls,
        };
        command.TreatUnmatchedTokensAsErrors = false; // --WhatsApp:AppSecret=… and other configuration keys pass through
        command.SetAction(async (parse, ct) =>
        {
            var args = new List<string>(parse.UnmatchedTokens);
            if (parse.GetValue(urls) is { } u) args.AddRange(["--urls", u]);
            return await RunAsync(args.ToArray(), ct);
        });
        return command;
    }

    public static async Task<int> RunAsync(string[] args, CancellationToken ct)
    {
        await using var app = Program.BuildServer(args);
        try
        {
            await Program.StartServerAsync(app, ct);
        }
        catch (OptionsValidationException ex)
        {
            await Console.Error.WriteLineAsync("Threadline cannot start: " + string.Join(" ", ex.Failures));
            return 2;
        }
        await app.WaitForShutdownAsync(ct);
        return 0;
    }
}
