using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Threadline.Cli;
using Threadline.IntegrationTests.Infrastructure;
using Threadline.Store;

namespace Threadline.IntegrationTests.Routing;

[Collection(CliCollection.Name)]
public sealed class SqliteChatImportTests() : ChatImportTests(StoreKind.Sqlite);
[Collection(CliCollection.Name)]
public sealed class PostgresChatImportTests() : ChatImportTests(StoreKind.Postgres);

/// <summary>History import through the CLI against the real store: conversations, reply pattern, idempotency, then live traffic on top.</summary>
public abstract class ChatImportTests(StoreKind store) : IAsyncLifetime
{
    private ThreadlineHost _host = null!;

    public async Task InitializeAsync() => _host = await ThreadlineHost.StartAsync(store, new Dictionary<string, string?>
    {
        ["Business:TimeZone"] = "Europe/Berlin", ["Business:Languages:0"] = "de", ["Business:Languages:1"] = "en",
    });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    // Android layout, German, day-first; a multi-line message, media, a system line and an unreadable date.
    private const string Export = """
        02/03/2026, 09:00 - Anna (Acme): Hallo Jonas, die Muster sind fertig. Soll ich sie schicken?
        02/03/2026, 09:40 - Jonas Weber: Ja bitte
        09/03/2026, 09:05 - Jonas Weber: Was würden 20 Stück kosten?
        Lieferung nach Hamburg
        09/03/2026, 10:10 - Anna (Acme): Angebot anbei: EUR 12.000 inkl. Versand
        09/03/2026, 10:30 - Jonas Weber: <Media omitted>
        09/03/2026, 10:31 - Anna (Acme) added +49 170 1111111
        31/02/2026, 10:32 - Jonas Weber: kaputtes Datum
        20/03/2026, 16:00 - Jonas Weber: Super, danke!
        """;

    private string[] Cli(string file, params string[] extra) =>
        ["import", "chat", file, "--contact", "+49 170 12345678", "--timezone", "Europe/Berlin", .. extra, "--Business:Languages:0=de", .. _host.StorageArgs()];

    [Fact]
    public async Task ImportingAnExport_BuildsPastConversationsAndReplyPattern_TwiceAddsNothing_LiveMessagesContinueIt()
    {
        string file = Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N") + ".txt");
        await File.WriteAllTextAsync(file, Export);

        Assert.Equal(2, await CliRoot.Create().Parse(Cli(file)).InvokeAsync());                   // two authors, unknown contact: who is the business?
        Assert.Equal(2, await CliRoot.Create().Parse(Cli(file, "--me", "Nobody")).InvokeAsync());
        Assert.Equal(0, await CliRoot.Create().Parse(Cli(file, "--me", "Anna (Acme)")).InvokeAsync());
        Assert.Equal(0, await CliRoot.Create().Parse(Cli(file)).InvokeAsync());                   // now the contact is known by name: --me is inferred

        var db = _host.Services.GetRequiredService<Database>();
        await using (var c = await db.OpenAsync())
        {
            Assert.Equal(6, await c.QuerySingleAsync<long>("SELECT COUNT(*) FROM conversation_messages WHERE source = 'import'"));
            Assert.Equal(2, await c.QuerySingleAsync<long>("SELECT COUNT(*) FROM conversations"));   // the 11-day gap split them
            Assert.Equal(2, await c.QuerySingleAsync<long>("SELECT COUNT(*) FROM chat_imports"));
            Assert.Equal((6, 0), await c.QuerySingleAsync<(int, int)>("SELECT messages, 0 FROM chat_imports ORDER BY id LIMIT 1"));
            Assert.Equal("Was würden 20 Stück kosten?\nLieferung nach Hamburg",
                await c.QuerySingleAsync<string>("SELECT text FROM conversation_messages WHERE intent = 'price_request'"));
            var delays = await c.QuerySingleAsync<string>("SELECT reply_delays FROM contact_context");
            // 40 min to our question, 20 min to our quote; the thanks 11 days later answers nothing of ours, so it is no sample.
            Assert.Equal([2400, 1200], JsonSerializer.Deserialize<long[]>(delays)!);
        }

        // Live traffic continues from the imported history: the contact's next message, inside 7 days of the last, joins its conversation.
        long t = DateTimeOffset.Parse("2026-03-21T09:00:00Z").ToUnixTimeSeconds();
        await _host.PostWebhookAsync(Payloads.Text("4917012345678", "wamid.live1", t, "Noch eine Frage: gibt es Rabatt ab 50 Stück?"));
        await _host.WaitForProcessingAsync();
        var list = (await _host.Api.GetFromJsonAsync<JsonElement>("/api/v1/conversations"))!.EnumerateArray().ToList();
        Assert.Equal(2, list.Count);
        var detail = await _host.Api.GetFromJsonAsync<JsonElement>($"/api/v1/conversations/{list[0].GetProperty("id").GetInt64()}");
        Assert.Equal(["import", "webhook"], detail.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("source").GetString()));
        var context = detail.GetProperty("decisions")[0].GetProperty("context");
        Assert.Equal(1, context.GetProperty("priorConversations").GetInt32());
        Assert.Equal(2, context.GetProperty("replyDelay").GetProperty("samples").GetInt32());
        Assert.Equal(1800, context.GetProperty("replyDelay").GetProperty("median").GetString() is { } m ? TimeSpan.Parse(m).TotalSeconds : 0);

        // Re-importing after live capture started adds nothing, and says why.
        Assert.Equal(0, await CliRoot.Create().Parse(Cli(file)).InvokeAsync());
        await using (var c = await db.OpenAsync())
            Assert.Equal(7, await c.QuerySingleAsync<long>("SELECT COUNT(*) FROM conversation_messages"));
    }
}
