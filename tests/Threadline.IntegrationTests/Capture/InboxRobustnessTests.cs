using System.Net;
using System.Text;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Threadline.IntegrationTests.Infrastructure;
using Threadline.Store;
using Threadline.Workers;

namespace Threadline.IntegrationTests.Capture;

public sealed class SqliteInboxRobustnessTests() : InboxRobustnessTests(StoreKind.Sqlite);
public sealed class PostgresInboxRobustnessTests() : InboxRobustnessTests(StoreKind.Postgres);

/// <summary>Oversized bodies, replays after a crash, poison rows, and refusing to start without a secret.</summary>
public abstract class InboxRobustnessTests(StoreKind store)
{
    private const long T0 = 1_760_000_000;

    [Fact]
    public async Task Post_BodyOverTheLimit_Returns413AndStoresNothing_BodyAtTheLimitIsAccepted()
    {
        await using var host = await ThreadlineHost.StartAsync(store, new Dictionary<string, string?> { ["WhatsApp:MaxWebhookBodyBytes"] = "4096" });
        string json = Payloads.Text("4917012345678", "wamid.big", T0, new string('x', 5000));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await host.PostWebhookAsync(json)).StatusCode);

        // Without Content-Length (chunked), the limit is enforced while reading.
        var body = Encoding.UTF8.GetBytes(json);
        var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/whatsapp") { Content = new StreamContent(new NonSeekableStream(body)) };
        request.Headers.TransferEncodingChunked = true;
        request.Headers.TryAddWithoutValidation("X-Hub-Signature-256", Threadline.WhatsApp.Webhooks.WebhookSignature.Sign(body, ThreadlineHost.AppSecret));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await host.Client.SendAsync(request)).StatusCode);
        Assert.Equal(0, (await host.StatsAsync()).Received);

        string small = Payloads.Text("4917012345678", "wamid.small", T0, "fits");
        string padded = small + new string(' ', 4096 - Encoding.UTF8.GetByteCount(small)); // exactly the limit
        Assert.Equal(HttpStatusCode.OK, (await host.PostWebhookAsync(padded)).StatusCode);
        await host.WaitForProcessingAsync();
        Assert.Single(await host.MessagesAsync("4917012345678"));
    }

    [Fact]
    public async Task ReplayingProcessedRows_AsAfterACrash_AddsNothing()
    {
        await using var host = await ThreadlineHost.StartAsync(store);
        await host.PostWebhookAsync(Payloads.Text("4917012345678", "wamid.r1", T0, "one"));
        await host.PostWebhookAsync(Payloads.Echo("4917012345678", "wamid.r2", T0 + 1, "two"));
        await host.PostWebhookAsync(Payloads.Status("wamid.r2", "read", T0 + 9, "4917012345678"));
        await host.PostWebhookAsync(Payloads.MarketingPreference("4917012345678", "stop", T0 + 10));
        await host.WaitForProcessingAsync();
        var before = await host.MessagesAsync("4917012345678");

        // Every row pending again, as if the process died after writing but before marking (on PostgreSQL it cannot, they
        // are one transaction; on SQLite the marks wait until the writes are on disk, see ProcessedMarksTests).
        var db = host.Services.GetRequiredService<Database>();
        await using (var c = await db.OpenInboxAsync())
            await c.ExecuteAsync("UPDATE inbox SET state = 0");
        var stats = await host.WaitForProcessingAsync();

        var after = await host.MessagesAsync("4917012345678");
        Assert.Equal(before.Select(m => (m.WaMessageId, m.Text, m.Status)), after.Select(m => (m.WaMessageId, m.Text, m.Status)));
        Assert.Equal((4, 4), (stats.Received, stats.Processed));
        await using var check = await db.OpenAsync();
        Assert.Equal(1, await check.QuerySingleAsync<long>("SELECT COUNT(*) FROM message_statuses"));
        Assert.Equal(1, await check.QuerySingleAsync<long>("SELECT COUNT(*) FROM events"));
        Assert.Equal(1, await check.QuerySingleAsync<long>("SELECT COUNT(*) FROM wa_users"));
    }

    [Fact]
    public async Task PoisonRow_FailsRepeatedly_IsDeadLettered_WhileItsBatchMatesAreProcessed()
    {
        await using var host = await ThreadlineHost.StartAsync(store, new Dictionary<string, string?>
        {
            ["Inbox:MaxAttempts"] = "2",
            ["Inbox:PollIntervalMs"] = "100",
        });
        var db = host.Services.GetRequiredService<Database>();
        await using (var c = await db.OpenAsync())
            await c.ExecuteAsync(store == StoreKind.Sqlite
                ? "CREATE TRIGGER poison BEFORE INSERT ON messages WHEN NEW.wa_message_id = 'wamid.poison' BEGIN SELECT RAISE(ABORT, 'poisoned row'); END;"
                : """
                  CREATE FUNCTION poison() RETURNS trigger AS $$ BEGIN
                    IF NEW.wa_message_id = 'wamid.poison' THEN RAISE EXCEPTION 'poisoned row'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql;
                  CREATE TRIGGER poison BEFORE INSERT ON messages FOR EACH ROW EXECUTE FUNCTION poison();
                  """);

        await host.PostWebhookAsync(Payloads.Text("4917012345678", "wamid.ok1", T0, "fine"));
        await host.PostWebhookAsync(Payloads.Text("4917012345678", "wamid.poison", T0 + 1, "breaks the store"));
        await host.PostWebhookAsync(Payloads.Text("4917012345678", "wamid.ok2", T0 + 2, "also fine"));
        var stats = await host.WaitForProcessingAsync(TimeSpan.FromSeconds(30));

        Assert.Equal((3, 2, 1), (stats.Received, stats.Processed, stats.DeadLettered));
        Assert.Equal(["fine", "also fine"], (await host.MessagesAsync("4917012345678")).Select(m => m.Text));
        var dead = await new Threadline.Store.Inbox.InboxQueue(db).DeadAsync(10, default);
        Assert.Contains("poisoned row", Assert.Single(dead).LastError);
        Assert.Equal(2, dead[0].Attempts);
    }

    [Fact]
    public async Task OneBatch_SameUserByNumberThenByNumberAndUserId_IsOneUserWithBoth()
    {
        await using var host = await ThreadlineHost.StartAsync(store, new Dictionary<string, string?> { ["Inbox:ProcessingEnabled"] = "false" });
        await host.PostWebhookAsync(Payloads.Text("4917012345678", "wamid.u1", T0, "first"));
        await host.PostWebhookAsync(Payloads.Inbound("4917012345678", "DE.777", Payloads.TextMessage("4917012345678", "wamid.u2", T0 + 1, "second")));
        await host.PostWebhookAsync(Payloads.Inbound(null, "DE.777", Payloads.TextMessage(null, "wamid.u3", T0 + 2, "third", fromUserId: "DE.777")));

        var pass = await host.Services.GetRequiredService<InboxProcessor>().ProcessNextAsync(default); // all three in one batch
        Assert.Equal((3, 3), (pass.Rows, pass.Processed));
        await using var c = await host.Services.GetRequiredService<Database>().OpenAsync();
        var users = (await c.QueryAsync<(string? WaId, string? UserId)>("SELECT wa_id, user_id FROM wa_users")).ToList();
        Assert.Equal(("4917012345678", "DE.777"), Assert.Single(users));
        Assert.Equal(["first", "second", "third"], (await host.MessagesAsync("+4917012345678")).Select(m => m.Text));
    }

    [Fact]
    public async Task Start_WithoutAppSecret_RefusesWithAClearMessage()
    {
        var settings = new Dictionary<string, string?>(await TestDatabases.CreateAsync(store, Path.GetTempPath())) { ["WhatsApp:AppSecret"] = "" };
        await using var app = Program.BuildServer(["--urls", "http://127.0.0.1:0"], settings);
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => Program.StartServerAsync(app, CancellationToken.None));
        Assert.Contains("WhatsApp:AppSecret is missing", error.Message);
    }

    [Theory]
    [InlineData("Business:DefaultRegion", "XX", "Business:DefaultRegion 'XX'")]
    [InlineData("Business:TimeZone", "Mars/Olympus_Mons", "Business:TimeZone 'Mars/Olympus_Mons'")]
    [InlineData("Business:DealStages:0", "won", "Business:DealStages must be distinct and include 'won' and 'lost'")]
    public async Task Start_WithUnknownRegionOrZone_RefusesWithAClearMessage(string key, string value, string expected)
    {
        var settings = new Dictionary<string, string?>(await TestDatabases.CreateAsync(store, Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N"))))
        {
            ["WhatsApp:AppSecret"] = "x", [key] = value,
        };
        await using var app = Program.BuildServer(["--urls", "http://127.0.0.1:0"], settings);
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => Program.StartServerAsync(app, CancellationToken.None));
        Assert.Contains(expected, error.Message);
    }

    /// <summary>A stream without a length, so HttpClient must send the body chunked.</summary>
    private sealed class NonSeekableStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}
