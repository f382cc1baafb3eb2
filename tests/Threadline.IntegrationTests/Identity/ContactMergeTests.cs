using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Threadline.IntegrationTests.Infrastructure;
using Threadline.Store;

namespace Threadline.IntegrationTests.Identity;

public sealed class SqliteContactMergeTests() : ContactMergeTests(StoreKind.Sqlite);
public sealed class PostgresContactMergeTests() : ContactMergeTests(StoreKind.Postgres);

/// <summary>Merge keeps every message, deal and identity; unmerge puts everything back exactly; both are recorded.</summary>
public abstract class ContactMergeTests(StoreKind store) : IAsyncLifetime
{
    private const long T0 = 1_760_000_000;
    private ThreadlineHost _host = null!;

    public async Task InitializeAsync() => _host = await ThreadlineHost.StartAsync(store);
    public async Task DisposeAsync() => await _host.DisposeAsync();

    private async Task<long> IdOfAsync(string phone) =>
        (await _host.Api.GetFromJsonAsync<JsonElement>($"/api/v1/contacts?phone={Uri.EscapeDataString(phone)}")).GetProperty("items")[0].GetProperty("id").GetInt64();

    private Task<JsonElement> DetailAsync(long id) => _host.Api.GetFromJsonAsync<JsonElement>($"/api/v1/contacts/{id}");

    private async Task<string> SnapshotAsync()
    {
        await using var c = await _host.Services.GetRequiredService<Database>().OpenAsync();
        var contacts = await c.QueryAsync<(long, string?, string?, string?, long?)>("SELECT id, name, email, tags, merged_into FROM contacts ORDER BY id");
        var identities = await c.QueryAsync<(long, string)>("SELECT contact_id, value FROM contact_identities ORDER BY id");
        var links = await c.QueryAsync<(string, long)>("SELECT wa_message_id, contact_id FROM message_links ORDER BY wa_message_id");
        var deals = await c.QueryAsync<(long, long)>("SELECT id, contact_id FROM deals ORDER BY id");
        return string.Join("|", contacts) + "#" + string.Join("|", identities) + "#" + string.Join("|", links) + "#" + string.Join("|", deals);
    }

    [Fact]
    public async Task MergeThenUnmerge_LosesNothing_AndRestoresExactly()
    {
        // Two contacts for one person: a WhatsApp number and a number entered by hand with an email and a deal.
        await _host.PostWebhookAsync(Payloads.Text("4917012345678", "wamid.m1", T0, "Hallo"));
        await _host.PostWebhookAsync(Payloads.Text("4915122223333", "wamid.m2", T0 + 1, "Hier mein Zweithandy"));
        await _host.WaitForProcessingAsync();
        long a = await IdOfAsync("+4917012345678"), b = await IdOfAsync("+4915122223333");
        Assert.Equal(HttpStatusCode.OK, (await _host.Api.PatchAsJsonAsync($"/api/v1/contacts/{b}", new { email = "jonas@weber.de", tags = new[] { "b2b" } })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _host.Api.PatchAsJsonAsync($"/api/v1/contacts/{a}", new { tags = new[] { "vip" } })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await _host.Api.PostAsJsonAsync("/api/v1/deals", new { contactId = b, title = "Order", stage = "negotiation" })).StatusCode);
        string before = await SnapshotAsync();

        Assert.Equal(HttpStatusCode.OK, (await _host.Api.PostAsJsonAsync($"/api/v1/contacts/{a}/merge", new { otherId = b })).StatusCode);
        var merged = await DetailAsync(a);
        Assert.Equal(2, merged.GetProperty("phones").GetArrayLength());
        Assert.Equal("jonas@weber.de", merged.GetProperty("contact").GetProperty("email").GetString());
        Assert.Equal(["vip", "b2b"], merged.GetProperty("contact").GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Assert.Single(merged.GetProperty("deals").EnumerateArray());
        Assert.Equal(a, (await DetailAsync(b)).GetProperty("contact").GetProperty("mergedInto").GetInt64());
        Assert.Equal(1, (await _host.Api.GetFromJsonAsync<JsonElement>("/api/v1/contacts")).GetProperty("total").GetInt32());

        // A message to the merged number after the merge lands on the survivor.
        await _host.PostWebhookAsync(Payloads.Text("4915122223333", "wamid.m3", T0 + 2, "noch da?"));
        await _host.WaitForProcessingAsync();
        await using (var c = await _host.Services.GetRequiredService<Database>().OpenAsync())
            Assert.Equal(a, await c.QuerySingleAsync<long>("SELECT contact_id FROM message_links WHERE wa_message_id = 'wamid.m3'"));

        Assert.Equal(HttpStatusCode.Conflict, (await _host.Api.PostAsJsonAsync($"/api/v1/contacts/{a}/merge", new { otherId = b })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _host.Api.PostAsync($"/api/v1/contacts/{b}/unmerge", null)).StatusCode);

        // Everything that existed before the merge is back where it was; the message that came during the merge stays on the survivor.
        string after = await SnapshotAsync();
        Assert.Equal(before, after.Replace("|(wamid.m3, " + a + ")", ""));
        Assert.Equal(HttpStatusCode.NotFound, (await _host.Api.PostAsync($"/api/v1/contacts/{b}/unmerge", null)).StatusCode);
        await using var check = await _host.Services.GetRequiredService<Database>().OpenAsync();
        Assert.Equal(1, await check.QuerySingleAsync<long>("SELECT COUNT(*) FROM contact_merges WHERE undone_at IS NOT NULL AND merged_by = 'bootstrap-admin'"));
    }

    [Fact]
    public async Task Merge_RefusesItselfAndUnknownContacts()
    {
        await _host.PostWebhookAsync(Payloads.Text("4917012345678", "wamid.x1", T0, "Hallo"));
        await _host.WaitForProcessingAsync();
        long a = await IdOfAsync("+4917012345678");
        Assert.Equal(HttpStatusCode.BadRequest, (await _host.Api.PostAsJsonAsync($"/api/v1/contacts/{a}/merge", new { otherId = a })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _host.Api.PostAsJsonAsync($"/api/v1/contacts/{a}/merge", new { otherId = 999999 })).StatusCode);
    }
}
