using System.CommandLine;
using Spectre.Console;

namespace Threadline.Simulator;

/// <summary>
/// <c>threadline simulate</c>: generates realistic signed webhook traffic and fires it at a running Threadline
/// server, with a progress bar and a latency summary. The app secret must match the server's <c>WhatsApp:AppSecret</c>.
/// </summary>
public static class SimulateCommand
{
    public static Command Create()
    {
        var target = new Option<Uri>("--target")
        {
            Description = "Base URL of the Threadline server; webhooks go to {target}/webhooks/whatsapp",
            DefaultValueFactory = _ => new Uri("http://127.0.0.1:5080"),
            CustomParser = ParseAbsoluteUri, // System.CommandLine has no built-in Uri conversion
        };
        var rate = new Option<double>("--rate") { Description = "Webhooks per second (0 = as fast as possible)", DefaultValueFactory = _ => 50 };
        var count = new Option<int>("--count") { Description = "Number of webhooks to send", DefaultValueFactory = _ => 1000 };
        var secret = new Option<string>("--secret")
        {
            Description = "App secret for X-Hub-Signature-256 (default: environment variable WhatsApp__AppSecret)",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("WhatsApp__AppSecret") ?? "",
        };
        var senders = new Option<int>("--senders") { Description = "Number of simulated customers", DefaultValueFactory = _ => 50 };
        var seed = new Option<int>("--seed") { Description = "Seed: the same seed sends the same bodies", DefaultValueFactory = _ => 1 };
        var concurrency = new Option<int>("--concurrency") { Description = "Requests in flight at once", DefaultValueFactory = _ => 64 };

        var command = new Command("simulate", "Send simulated WhatsApp webhook traffic to a Threadline server")
        {
            target, rate, count, secret, senders, seed, concurrency,
        };
        command.SetAction(async (ParseResult parsed, CancellationToken cancellationToken) =>
        {
            string appSecret = parsed.GetValue(secret) ?? "";
            if (appSecret.Length == 0)
            {
                AnsiConsole.MarkupLine("[red]No app secret: pass --secret or set WhatsApp__AppSecret.[/]");
                return 2;
            }
            var options = new TrafficOptions { AppSecret = appSecret, Senders = parsed.GetValue(senders), Seed = parsed.GetValue(seed) };
            var sendOptions = new WebhookSendOptions { RatePerSecond = parsed.GetValue(rate), MaxInFlight = parsed.GetValue(concurrency) };
            return await RunAsync(parsed.GetValue(target)!, options, sendOptions, parsed.GetValue(count), cancellationToken);
        });
        return command;
    }

    private static Uri? ParseAbsoluteUri(System.CommandLine.Parsing.ArgumentResult result)
    {
        string text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
        if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
            return uri;
        result.AddError($"'{text}' is not an absolute http(s) URL.");
        return null;
    }

    private static async Task<int> RunAsync(Uri target, TrafficOptions options, WebhookSendOptions sendOptions, int count, CancellationToken cancellationToken)
    {
        using var http = new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = sendOptions.MaxInFlight,
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        }) { Timeout = Timeout.InfiniteTimeSpan }; // per-attempt timeouts are the sender's job
        var sender = new WebhookSender(http);
        var generator = new TrafficGenerator(options);
        WebhookSendSummary? summary = null;
        await AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask(Markup.Escape($"POST {WebhookSender.EndpointFor(target)}"), maxValue: count);
                var progress = new CallbackProgress<WebhookSendProgress>(p => task.Value = p.Acknowledged + p.Failed);
                summary = await sender.SendAsync(target, generator.Generate(), count, sendOptions, progress, cancellationToken);
                task.Value = count;
            });
        AnsiConsole.Write(SummaryTable(summary!));
        return summary!.Failed == 0 && !summary.Cancelled ? 0 : 1;
    }

    private static Table SummaryTable(WebhookSendSummary s)
    {
        var table = new Table().AddColumn("Metric").AddColumn(new TableColumn("Value").RightAligned());
        table.AddRow("Sent", s.Sent.ToString("N0"));
        table.AddRow("Acknowledged (2xx)", s.Acknowledged.ToString("N0"));
        table.AddRow(s.Failed > 0 ? "[red]Failed[/]" : "Failed", s.Failed.ToString("N0"));
        table.AddRow("Duplicates (deliberate)", s.Duplicates.ToString("N0"));
        table.AddRow("Retries", s.Retries.ToString("N0"));
        table.AddRow("p50 latency", $"{s.LatencyPercentile(50).TotalMilliseconds:F1} ms");
        table.AddRow("p99 latency", $"{s.LatencyPercentile(99).TotalMilliseconds:F1} ms");
        table.AddRow("Achieved rate", $"{s.Rate:F0}/s over {s.Elapsed.TotalSeconds:F1} s");
        if (s.Cancelled)
            table.AddRow("[yellow]Cancelled[/]", "yes");
        return table;
    }
}
