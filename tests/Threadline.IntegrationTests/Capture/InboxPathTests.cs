using System.Net;
using Dapper;
using Microsoft.Data.Sqlite;
using Threadline.IntegrationTests.Infrastructure;

namespace Threadline.IntegrationTests.Capture;

/// <summary>
/// SQLite with <c>Storage:InboxPath</c> on another folder (a volume of its own in production): webhooks are made durable
/// there, nothing is written beside the main store, and processing works as before.
/// </summary>
public sealed class InboxPathTests
{
    [Fact]
    public async Task The_inbox_lives_where_Storage_InboxPath_says()
    {
        string elsewhere = Path.Combine(Path.GetTempPath(), "threadline-tests", Guid.NewGuid().ToString("N"));
        string inboxFile = Path.Combine(elsewhere, "volume2", "webhooks.db");
        try
        {
            await using var host = await ThreadlineHost.StartAsync(StoreKind.Sqlite, new Dictionary<string, string?> { ["Storage:InboxPath"] = inboxFile });
            Assert.Equal(HttpStatusCode.OK, (await host.PostWebhookAsync(Payloads.Text("4917012345678", "wamid.path1", 1_760_000_000, "Hallo"))).StatusCode);
            var stats = await host.WaitForProcessingAsync();
            Assert.Equal((1, 1), (stats.Received, stats.Processed));
            Assert.Equal(["Hallo"], (await host.MessagesAsync("4917012345678")).Select(m => m.Text));

            // The acknowledged body is in the file at that path; the default place beside the main store stays empty.
            await using (var inbox = new SqliteConnection($"Data Source={inboxFile};Mode=ReadOnly;Pooling=False"))
                Assert.Equal(1, await inbox.QuerySingleAsync<long>("SELECT COUNT(*) FROM inbox_bodies"));
            Assert.Contains(host.StorageArgs(), a => a == $"--Storage:InboxPath={inboxFile}");
            string main = new SqliteConnectionStringBuilder(host.StorageArgs().Single(a => a.StartsWith("--Storage:ConnectionString=", StringComparison.Ordinal))["--Storage:ConnectionString=".Length..]).DataSource;
            Assert.False(File.Exists(Path.Combine(Path.GetDirectoryName(main)!, "threadline.inbox.db")));
        }
        finally
        {
            try { Directory.Delete(elsewhere, recursive: true); } catch (IOException) { }
        }
    }
}
