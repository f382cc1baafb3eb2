using System.Collections.Concurrent;
using System.CommandLine;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Spectre.Console;
using Spectre.Console.Rendering;
using Threadline.Pipeline.Capture;
using Threadline.Simulator;
using Threadline.Store;
using Threadline.Store.Inbox;
using Threadline.Store.Messages;
using Threadline.WhatsApp.Webhooks;

namespace Threadline.Cli;

/// <summary>
/// <c>threadline demo</c>: the server on the embedded SQLite store at http://127.0.0.1:5080, fed by the simulator,
/// with a live view of what each contact sent, what was received (acknowledged) and what was processed (stored).
/// Demo secrets are used unless configured, so it runs on a fresh clone with no set-up.
/// </summary>
public static class DemoCommand
{
    public const string DemoAppSecret = "demo-app-secret";
    public const string DemoAdminKey = "demo-admin-key";

    public static Command Create()
    {
        var urls = new Option<string>("--urls") { Description = "Where the server listens.", DefaultValueFactory = _ => "http://127.0.0.1:5080" };
        var rate = new Option<double>("--rate") { Description = "Simulated webhooks per second.", DefaultValueFactory = _ => 20 };
        var count = new Option<int>("--count") { Description = "Webhooks to send before the traffic stops (the server keeps running).", DefaultValueFactory = _ => 100_000 };
        var senders = new Option<int>("--senders") { Description = "Simulated customers.", DefaultValueFactory = _ => 25 };
        var command = new Command("demo", "Run the server on SQLite with simulated WhatsApp traffic and a live view (Ctrl+C stops).")
        {
            urls, rate, count, senders,
        };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction((parse, ct) => RunAsync(parse.GetValue(urls)!, parse.GetValue(rate), parse.GetValue(count), parse.GetValue(senders),
            parse.UnmatchedTokens.ToArray(), ct));
        return command;
    }

    private static async Task<int> RunAsync(string urls, double rate, int count, int senders, string[] extraArgs, CancellationToken cliToken)
    {
        var configured = CliStore.Configuration(extraArgs);
        string secret = NonEmpty(configured["WhatsApp:AppSecret"]) ?? DemoAppSecret;
        string adminKey = NonEmpty(configured["Auth:BootstrapAdminKey"]) ?? DemoAdminKey;
        var overrides = new Dictionary<string, string?>
        {
            ["WhatsApp:AppSecret"] = secret,
            ["WhatsApp:VerifyToken"] = NonEmpty(configured["WhatsApp:VerifyToken"]) ?? "demo-verify-token",
            ["Auth:BootstrapAdminKey"] = adminKey,
            ["Logging:LogLevel:Default"] = "Warning", // the live view is the output; warnings and errors still show
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
        };
        // Without a real access token, what Threadline sends (automatic answers, follow-ups) goes to a local fake of the
        // Graph API, so the demo shows the whole loop without touching WhatsApp.
        await using var fakeGraph = NonEmpty(configured["WhatsApp:AccessToken"]) is null ? new FakeGraphApi("demo-access-token") : null;
        if (fakeGraph is not null)
        {
            var graph = await fakeGraph.StartAsync(cancellationToken: cliToken);
            overrides["WhatsApp:GraphApiBaseUrl"] = new Uri(graph, "v23.0").ToString();
            overrides["WhatsApp:AccessToken"] = "demo-access-token";
            overrides["WhatsApp:PhoneNumberId"] = NonEmpty(configured["WhatsApp:PhoneNumberId"]) ?? "100000000000001";
            foreach (var (key, value) in DemoAutomation)
                if (configured[key] is null) overrides[key] = value;
        }
        await using var app = Program.BuildServer([.. extraArgs, "--urls", urls], overrides);
        await Program.StartServerAsync(app, cliToken);
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        // Ctrl+C reaches the host's console lifetime first (it stops the server); follow it as well as the CLI's token.
        using var running = CancellationTokenSource.CreateLinkedTokenSource(cliToken, app.Lifetime.ApplicationStopping);
        var ct = running.Token;

        var received = new ConcurrentDictionary<string, int>();
        using var http = new HttpClient();
        var generator = new TrafficGenerator(new TrafficOptions { AppSecret = secret, Senders = senders, Seed = Environment.TickCount });
        var traffic = generator.Generate().Select(w => Track(w, received));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var sending = new WebhookSender(http).SendAsync(new Uri(address), traffic, count, new WebhookSendOptions { RatePerSecond = rate },
            cancellationToken: stop.Token);

        var queries = app.Services.GetRequiredService<MessageQueries>();
        var inbox = app.Services.GetRequiredService<InboxQueue>();
        var database = app.Services.GetRequiredService<Database>();
        var outbox = app.Services.GetRequiredService<Threadline.Store.Outbox.OutboxStore>();
        var header = Header(address, adminKey, database, fakeGraph?.BaseAddress);
        try
        {
            if (AnsiConsole.Profile.Capabilities.Interactive)
                await AnsiConsole.Live(new Markup("starting…")).AutoClear(false).StartAsync(async live =>
                {
                    while (!ct.IsCancellationRequested)
                    {
                        live.UpdateTarget(await ViewAsync(header, inbox, queries, outbox, received, ct));
                        await Task.Delay(500, ct);
                    }
                });
            else
                while (!ct.IsCancellationRequested)
                {
                    // Not a terminal (CI, a pipe): a plain line every few seconds instead of a redrawn screen.
                    var s = await inbox.StatsAsync(ct);
                    var o = await outbox.StatsAsync(ct);
                    Console.WriteLine($"received {s.Received}  processed {s.Processed}  pending {s.Pending}  dead-lettered {s.DeadLettered}  " +
                        $"sent by us {o.GetValueOrDefault("accepted")}  to send {o.Where(x => x.Key is "queued" or "claimed" or "sending").Sum(x => x.Value)}");
                    await Task.Delay(3000, ct);
                }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
        await stop.CancelAsync();
        await sending;
        await app.StopAsync(CancellationToken.None);
        return 0;
    }

    private static SimulatedWebhook Track(SimulatedWebhook webhook, ConcurrentDictionary<string, int> received)
    {
        // Counted when handed to the sender (re-deliveries once); the inbox stats show what the server acknowledged.
        if (!webhook.IsDuplicateDelivery && WebhookParser.Parse(webhook.Body).Batch is { } batch)
            foreach (var message in batch.Messages.Where(m => m.Direction == MessageDirection.Inbound))
                received.AddOrUpdate(message.WaId ?? message.UserId ?? "?", 1, (_, n) => n + 1);
        return webhook;
    }

    /// <summary>The demo business answers opening hours and its address automatically, in English and German.</summary>
    private static readonly Dictionary<string, string> DemoAutomation = new()
    {
        ["Business:Languages:0"] = "en",
        ["Business:Languages:1"] = "de",
        ["Business:AutomationIntents:0"] = "opening_hours",
        ["Business:AutomationIntents:1"] = "address",
        ["Automation:Answers:opening_hours:en"] = "We are open Monday to Friday, 9:00–18:00.",
        ["Automation:Answers:opening_hours:de"] = "Wir haben Montag bis Freitag von 9 bis 18 Uhr geöffnet.",
        ["Automation:Answers:address:en"] = "You find us at Musterstraße 1, 10115 Berlin.",
        ["Automation:Answers:address:de"] = "Sie finden uns in der Musterstraße 1, 10115 Berlin.",
    };

    private static IRenderable Header(string address, string adminKey, Database database, Uri? fakeGraph) => new Panel(new Rows(
            new Markup($"[bold]Threadline demo[/] — server [link]{address}[/] on {Markup.Escape(database.Describe())}"),
            new Markup($"Webhook:  POST {address}/webhooks/whatsapp   (simulated WhatsApp traffic, signed)"),
            new Markup(fakeGraph is null ? "Sending:  to the configured Graph API" : $"Sending:  to a local fake Graph API at {fakeGraph} (no real WhatsApp messages)"),
            new Markup($"API:      curl -H 'Authorization: Bearer {Markup.Escape(adminKey)}' '{address}/api/v1/messages?phone=<number>'"),
            new Markup($"OpenAPI:  {address}/openapi/v1.json      Health: {address}/healthz"),
            new Markup("[grey]Ctrl+C stops.[/]")))
        .Border(BoxBorder.Rounded);

    private static async Task<IRenderable> ViewAsync(IRenderable header, InboxQueue inbox, MessageQueries queries,
        Threadline.Store.Outbox.OutboxStore outbox, ConcurrentDictionary<string, int> received, CancellationToken ct)
    {
        var stats = await inbox.StatsAsync(ct);
        var sent = await outbox.StatsAsync(ct);
        long waiting = sent.Where(s => s.Key is "queued" or "claimed" or "sending").Sum(s => s.Value);
        var totals = new Table().Border(TableBorder.Simple)
            .AddColumns("webhooks received (durable)", "processed", "pending", "dead-lettered", "sent by us", "to send", "not sent")
            .AddRow(stats.Received.ToString(), stats.Processed.ToString(), stats.Pending.ToString(),
                stats.DeadLettered == 0 ? "0" : $"[red]{stats.DeadLettered}[/]",
                sent.GetValueOrDefault("accepted").ToString(), waiting.ToString(),
                (sent.GetValueOrDefault("failed") + sent.GetValueOrDefault("cancelled") + sent.GetValueOrDefault("needs_review") + sent.GetValueOrDefault("unconfirmed")).ToString());
        var contacts = new Table().Border(TableBorder.Rounded).Title("Most recently active contacts")
            .AddColumns("contact", "name", "messages sent", "processed", "last message");
        foreach (var sender in await queries.RecentSendersAsync(12, ct))
        {
            string last = $"[grey]{Markup.Escape(sender.LastType ?? "")}[/] {Markup.Escape(Shorten(sender.LastText))}"; // customer text is data: escaped
            contacts.AddRow(Markup.Escape(sender.Sender), Markup.Escape(sender.ProfileName ?? ""),
                received.GetValueOrDefault(sender.Sender).ToString(), sender.Stored.ToString(), last);
        }
        return new Rows(header, totals, contacts);
    }

    private static string Shorten(string? text)
    {
        string oneLine = (text ?? "").ReplaceLineEndings(" ");
        return oneLine.Length <= 48 ? oneLine : oneLine[..47] + "…";
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
