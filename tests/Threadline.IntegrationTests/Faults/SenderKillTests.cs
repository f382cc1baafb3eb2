using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Dapper;
using Threadline.IntegrationTests.Infrastructure;
using Threadline.Simulator;
using Threadline.Store.Inbox;
using Xunit.Abstractions;

namespace Threadline.IntegrationTests.Faults;

public sealed class SqliteSenderKillTests(ITestOutputHelper output) : SenderKillTests(StoreKind.Sqlite, output);
public sealed class PostgresSenderKillTests(ITestOutputHelper output) : SenderKillTests(StoreKind.Postgres, output);

/// <summary>
/// The never-twice promise of the send path, tested the hard way: a few hundred replies are queued and the real server
/// process is SIGKILLed several times while it sends them through the fake Graph API, whose answers are slow enough
/// for kills to land mid-call. The fake plays WhatsApp's part too: every message it took is reported back by a signed
/// status webhook carrying our callback data, retried until acknowledged. Afterwards no message was sent twice, every
/// message WhatsApp took is accepted in the outbox with its wamid and recorded once in the timeline, and whatever is
/// left was never sent and is visibly in doubt (for a person), not lost and not queued for a blind resend.
/// </summary>
public abstract class SenderKillTests(StoreKind store, ITestOutputHelper output)
{
    private const int Replies = 200;
    private const int Kills = 3;
    private const int MaxParallel = 4;

    [Fact]
    public async Task SigkillWhileSending_NothingIsSentTwice_AndEverySentMessageIsRecordedOnce()
    {
        string directory = Path.Combine(Path.GetTempPath(), "threadline-fault", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var storage = await TestDatabases.CreateAsync(store, directory);
        await using var graph = new FakeGraphApi();
        var graphUri = await graph.StartAsync();
        // Every call takes 150 ms before WhatsApp "answers": several are in flight at any moment.
        graph.InjectFault(FakeGraphFault.Timeout(TimeSpan.FromMilliseconds(150)), times: Replies * 2);
        var server = new ServerProcess(ServerProcess.FreePort(), storage, directory, new Dictionary<string, string>
        {
            ["WhatsApp__GraphApiBaseUrl"] = new Uri(graphUri, "v23.0").ToString(),
            ["WhatsApp__AccessToken"] = graph.AccessToken,
            ["WhatsApp__PhoneNumberId"] = "100000000000001",
            ["Outbox__PollIntervalMs"] = "50",
            ["Outbox__RatePerSecond"] = "40",
            ["Outbox__RequestTimeoutSeconds"] = "2",
            ["Outbox__QuickRetries"] = "0",
            ["Outbox__MaxParallel"] = MaxParallel.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Outbox__BatchSize"] = "8",
            ["Outbox__ClaimLeaseSeconds"] = "3",
        });
        using var http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
        using var api = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ThreadlineHost.AdminKey);

        // WhatsApp's side: each message taken is reported with a status webhook, delivered until acknowledged.
        var statuses = Channel.CreateUnbounded<FakeGraphRequest>();
        graph.RequestRecorded = r => statuses.Writer.TryWrite(r);
        using var stop = new CancellationTokenSource();
        var reporter = Task.Run(async () =>
        {
            await foreach (var request in statuses.Reader.ReadAllAsync(stop.Token))
            {
                using var body = JsonDocument.Parse(request.Body);
                string callback = body.RootElement.GetProperty("biz_opaque_callback_data").GetString()!;
                string json = Payloads.Status(request.MessageId!, "sent", DateTimeOffset.UtcNow.ToUnixTimeSeconds(), request.To!, callbackData: callback);
                while (!await PostAsync(http, json)) await Task.Delay(100, stop.Token);
            }
        });

        try
        {
            await server.StartAsync();
            // Replies contacts write (opening their windows); then a person answers each of them.
            long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            for (int n = 0; n < Replies; n++)
                Assert.True(await PostAsync(http, Payloads.Text($"49171{n:D7}", $"wamid.kill.in.{n:D4}", now - 60, "Was kostet die Pumpe P-200?")));
            await DrainInboxAsync(api);
            var db = server.Store();
            List<long> conversations;
            await using (var c = await db.OpenAsync())
                conversations = (await c.QueryAsync<long>("SELECT id FROM conversations ORDER BY id")).AsList();
            Assert.Equal(Replies, conversations.Count);

            var queueing = Task.Run(async () =>
            {
                foreach (long id in conversations)
                    while (!await ReplyAsync(api, id)) await Task.Delay(100); // the same Idempotency-Key until acknowledged
            });
            for (int kill = 1; kill <= Kills; kill++)
            {
                var deadline = DateTime.UtcNow.AddSeconds(60);
                while (graph.RequestCount < Replies * kill / (Kills + 1) && DateTime.UtcNow < deadline) await Task.Delay(10);
                server.Kill();
                output.WriteLine($"SIGKILL #{kill} after {graph.RequestCount} requests");
                await server.StartAsync();
            }
            await queueing;

            // Settled: nothing queued any more, and every message WhatsApp took is accepted (confirmed by its status if need be).
            // (A call takes 150 ms, so a state that has not changed for a second is settled.)
            List<Row> rows = [];
            string? previous = null;
            var settle = DateTime.UtcNow.AddSeconds(90);
            while (DateTime.UtcNow < settle)
            {
                await using (var c = await db.OpenAsync())
                    rows = (await c.QueryAsync<Row>("SELECT id AS Id, state AS State, wa_message_id AS WaMessageId FROM outbox ORDER BY id")).AsList();
                var sentIds = graph.Requests.Select(CallbackId).ToHashSet();
                string snapshot = string.Join(",", rows.Select(r => r.State)) + "|" + sentIds.Count;
                if (rows.All(r => r.State is not ("queued" or "claimed")) && rows.Where(r => sentIds.Contains(r.Id)).All(r => r.State == "accepted")
                    && snapshot == previous)
                    break;
                previous = snapshot;
                await Task.Delay(1000);
            }

            var requests = graph.Requests;
            var perRow = requests.GroupBy(CallbackId).ToDictionary(g => g.Key, g => g.ToList());
            output.WriteLine($"{requests.Count} requests for {rows.Count} rows; states: " +
                string.Join(", ", rows.GroupBy(r => r.State).Select(g => $"{g.Key} {g.Count()}")));

            Assert.Equal(Replies, rows.Count); // every reply queued once, however often its POST was retried
            Assert.All(perRow, p => Assert.True(p.Value.Count == 1, $"outbox {p.Key} was sent {p.Value.Count} times"));
            int inDoubt = 0;
            foreach (var row in rows)
            {
                if (perRow.TryGetValue(row.Id, out var sent))
                {
                    Assert.True(row.State == "accepted", $"outbox {row.Id} went out but is {row.State}");
                    Assert.Equal(sent[0].MessageId, row.WaMessageId);
                }
                else
                {
                    // Claims a killed sender had not called yet were queued again and sent. Only a kill between the durable
                    // 'sending' mark and the request leaving leaves a row in doubt: never re-sent blindly, shown to a person.
                    Assert.Contains(row.State, new[] { "sending", "unconfirmed", "needs_review" });
                    inDoubt++;
                }
            }
            output.WriteLine($"{inDoubt} rows in doubt (killed between the 'sending' mark and the request)");
            Assert.True(inDoubt <= Kills * MaxParallel, $"{inDoubt} rows in doubt: only calls under way at a kill may be");
            await using (var c = await db.OpenAsync())
            {
                var recorded = (await c.QueryAsync<(string Id, long Count)>(
                    "SELECT m.wa_message_id, COUNT(*) FROM messages m JOIN outbox o ON o.wa_message_id = m.wa_message_id GROUP BY m.wa_message_id")).AsList();
                Assert.Equal(perRow.Count, recorded.Count);
                Assert.All(recorded, r => Assert.Equal(1, r.Count));
            }
        }
        finally
        {
            stop.Cancel();
            try { await reporter; } catch (OperationCanceledException) { }
            server.Kill();
            try { Directory.Delete(directory, recursive: true); } catch (IOException) { }
        }
    }

    private sealed record Row(long Id, string State, string? WaMessageId);

    private static long CallbackId(FakeGraphRequest request)
    {
        using var body = JsonDocument.Parse(request.Body);
        return long.Parse(body.RootElement.GetProperty("biz_opaque_callback_data").GetString()!["threadline:outbox:".Length..], System.Globalization.CultureInfo.InvariantCulture);
    }

    private static Task<bool> PostAsync(HttpClient http, string json) => ServerProcess.TryPostWebhookAsync(http, Encoding.UTF8.GetBytes(json));

    private static async Task<bool> ReplyAsync(HttpClient api, long conversation)
    {
        try
        {
            var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/conversations/{conversation}/messages")
            {
                Content = JsonContent.Create(new { text = "Die P-200 kostet 480 € netto.", agent = "anna" }),
            };
            request.Headers.Add("Idempotency-Key", $"kill-test-{conversation}");
            using var response = await api.SendAsync(request);
            return response.StatusCode is HttpStatusCode.Accepted or HttpStatusCode.OK;
        }
        catch (HttpRequestException) { return false; }
        catch (TaskCanceledException) { return false; }
    }

    private static async Task DrainInboxAsync(HttpClient api)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            var stats = await api.GetFromJsonAsync<InboxStats>("/api/v1/inbox/stats");
            if (stats!.Pending == 0 && stats.Received >= Replies) return;
            await Task.Delay(100);
        }
        throw new TimeoutException("the inbox did not drain");
    }
}
