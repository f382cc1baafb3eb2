using System.CommandLine;
using Spectre.Console;

namespace Threadline.Simulator;

/// <summary>
/// <c>threadline fake-graph</c>: runs <see cref="FakeGraphApi"/> until Ctrl+C, printing each accepted send. Point
/// Threadline's Graph base URL at it; steer faults through <c>/_fake/faults</c>.
/// </summary>
public static class FakeGraphCommand
{
    public static Command Create()
    {
        var urls = new Option<string>("--urls") { Description = "Address to listen on", DefaultValueFactory = _ => "http://127.0.0.1:5090" };
        var token = new Option<string>("--token")
        {
            Description = "Bearer token to require (default: environment variable WhatsApp__AccessToken, else fake-graph-token)",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("WhatsApp__AccessToken") ?? "fake-graph-token",
        };
        var command = new Command("fake-graph", "Run a local fake of the WhatsApp Cloud API send endpoint") { urls, token };
        command.SetAction(async (ParseResult parsed, CancellationToken cancellationToken) =>
        {
            await using var api = new FakeGraphApi(parsed.GetValue(token)!)
            {
                RequestRecorded = r => AnsiConsole.MarkupLineInterpolated(
                    $"[grey]{r.ReceivedAt:HH:mm:ss.fff}[/] {r.PhoneNumberId} → {r.To ?? r.Recipient ?? "-"} [blue]{(r.IsMarkAsRead ? "read" : r.Type)}[/] {r.MessageId}"),
            };
            var address = await api.StartAsync(parsed.GetValue(urls)!, cancellationToken);
            AnsiConsole.MarkupLineInterpolated($"Fake Graph API listening on [green]{address}[/] — POST /{{version}}/{{phoneNumberId}}/messages; Ctrl+C to stop.");
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
            }
            AnsiConsole.MarkupLineInterpolated($"Accepted {api.RequestCount} requests.");
            return 0;
        });
        return command;
    }
}
