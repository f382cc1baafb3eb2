using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Dapper;
using Threadline.IntegrationTests.Infrastructure;
using Threadline.Store.Inbox;
using Xunit.Abstractions;

namespace Threadline.IntegrationTests.Faults;

public sealed class SqliteKillDuringLoadTests(ITestOutputHelper output) : KillDuringLoadTests(StoreKind.Sqlite, output);
public sealed class PostgresKillDuringLoadTests(ITestOutputHelper output) : KillDuringLoadTests(StoreKind.Postgres, output);

/// <summary>
/// The durability promise, tested the hard way: thousands of signed webhooks while the server process is killed with
/// SIGKILL several times and restarted. Afterwards every message that got a 200 is stored exactly once, and the inbox
/// drains completely (nothing pending, nothing dead-lettered).
/// </summary>
public abstract class KillDuringLoadTests(StoreKind store, ITestOutputHelper output)
{
    private const int Messages = 4000;
    private const int Kills = 4;
    private const int Senders = 8;

    [Fact]
    public async Task SigkillDuringLoad_EveryAcknowledgedMessageIsStoredExactlyOnce()
    {
        string directory = Path.Combine(Path.GetTempPath(), "threadline-fault", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var storage = await TestDatabases.CreateAsync(store, directory);
        int port = ServerProcess.FreePort();
        var server = new ServerProcess(port, storage, directory);
        var acknowledged = new ConcurrentDictionary<string, byte>();
        int next = -1, attempts = 0, refused = 0;

        await server.StartAsync();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };
            using var stop = new CancellationTokenSource();
            var load = Enumerable.Range(0, Senders).Select(_ => Task.Run(async () =>
            {
                while (true)
                {
                    int n = Interlocked.Increment(ref next);
                    if (n >= Messages) return;
                    string id = $"wamid.fault.{n:D6}";
                    string waId = $"49170{n % 97:D7}";
                    byte[] body = Encoding.UTF8.GetBytes(Payloads.Text(waId, id, 1_760_000_000 + n, $"message {n}"));
                    // Like WhatsApp: retry what was not acknowledged (connection refused while the server is down).
                    for (int attempt = 0; attempt < 200; attempt++)
                    {
                        Interlocked.Increment(ref attempts);
                        if (await ServerProcess.TryPostWebhookAsync(http, body))
                        {
                            acknowledged.TryAdd(id, 0);
                            break;
                        }
                        Interlocked.Increment(ref refused);
                        await Task.Delay(50);
                    }
                }
            })).ToArray();

            for (int kill = 1; kill <= Kills; kill++)
            {
                while (Volatile.Read(ref next) < Messages * kill / (Kills + 1) && !load.All(t => t.IsCompleted))
                    await Task.Delay(20);
                server.Kill();
                output.WriteLine($"SIGKILL #{kill} after ~{Volatile.Read(ref next)} messages started, {acknowledged.Count} acknowledged");
                await server.StartAsync();
            }
            await Task.WhenAll(load);

            // Drain: the restarted server's worker processes everything durable.
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
            InboxStats stats;
            using var api = new HttpClient { BaseAddress = http.BaseAddress };
            api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ThreadlineHost.AdminKey);
            while ((stats = (await api.GetFromJsonAsync<InboxStats>("/api/v1/inbox/stats"))!).Pending > 0 && DateTime.UtcNow < deadline)
                await Task.Delay(100);
            output.WriteLine($"acknowledged {acknowledged.Count}, attempts {attempts}, not acknowledged (refused, timed out, not 200) {refused}, stats {stats}");

            Assert.Equal(0, stats.Pending);
            Assert.Equal(0, stats.DeadLettered);
            Assert.Equal(Messages, acknowledged.Count);

            await using var c = await server.Store().OpenAsync();
            var stored = (await c.QueryAsync<(string Id, long Count)>(
                "SELECT wa_message_id, COUNT(*) FROM messages WHERE wa_message_id LIKE 'wamid.fault.%' GROUP BY wa_message_id")).ToList();
            Assert.All(stored, row => Assert.Equal(1, row.Count));
            var missing = acknowledged.Keys.Except(stored.Select(s => s.Id)).ToList();
            Assert.True(missing.Count == 0, $"{missing.Count} acknowledged messages are missing, e.g. {string.Join(", ", missing.Take(5))}");
        }
        finally
        {
            server.Kill();
            try { Directory.Delete(directory, recursive: true); } catch (IOException) { }
        }
    }
}
