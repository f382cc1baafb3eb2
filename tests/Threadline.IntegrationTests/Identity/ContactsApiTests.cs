using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Threadline.IntegrationTests.Infrastructure;
using Threadline.Store;

namespace Threadline.IntegrationTests.Identity;

public sealed class SqliteContactsApiTests() : ContactsApiTests(StoreKind.Sqlite);
public sealed class PostgresContactsApiTests() : ContactsApiTests(StoreKind.Postgres);

/// <summary>The contacts read API: lookup by a number in any format, details, paging and search.</summary>
public abstract class ContactsApiTests(StoreKind store) : IAsyncLifetime
{
    private const long T0 = 1_760_000_000;
    private ThreadlineHost _host = null!;

    public async Task InitializeAsync() => _host = await ThreadlineHost.StartAsync(store, new Dictionary<string, string?> { ["Business:DefaultRegion"] = "BR" });
    public async Task DisposeAsync() => await _host.DisposeAsync();

    private async Task<JsonElement> GetJsonAsync(string url) => await _host.Api.GetFromJsonAsync<JsonElement>(url);

    [Theory]
    [InlineData("+55 11 98123-4567")]   // as WhatsApp sent it, formatted
    [InlineData("(11) 8123-4567")]      // national, without the ninth digit, read in the business's region (BR)
    [InlineData("5511981234567")]       // wa_id
    [InlineData("+55 11 8123 4567")]    // WhatsApp's older form
    public async Task ContactByPhone_AnyFormatOrWhatsAppForm_FindsTheSameContact(string phone)
    {
        await _host.PostWebhookAsync(Payloads.Text("5511981234567", "wamid.p1", T0, "olá"));
        await _host.WaitForProcessingAsync();

        var page = await GetJsonAsync($"/api/v1/contacts?phone={Uri.EscapeDataString(phone)}");
        var contact = Assert.Single(page.GetProperty("items").EnumerateArray());
        Assert.Equal("Ana Example", contact.GetProperty("name").GetString());
        Assert.Equal("America/Sao_Paulo", contact.GetProperty("timeZone").GetString());
    }

    [Fact]
    public async Task ContactById_ShowsPhonesUserIdsAndDeals_UnknownIs404()
    {
        await _host.PostWebhookAsync(Payloads.Inbound("447700900123", "GB.42", Payloads.TextMessage("447700900123", "wamid.d1", T0, "hi", fromUserId: "GB.42")));
        await _host.WaitForProcessingAsync();
        await using (var c = await _host.Services.GetRequiredService<Database>().OpenAsync())
            await c.ExecuteAsync("INSERT INTO deals (contact_id, title, stage, value, currency, status, last_activity_at, created_at) SELECT id, 'Fleet order', 'negotiation', 12000, 'GBP', 'open', 5, 0 FROM contacts");

        long id = (await GetJsonAsync("/api/v1/contacts?phone=GB.42")).GetProperty("items")[0].GetProperty("id").GetInt64();
        var detail = await GetJsonAsync($"/api/v1/contacts/{id}");
        Assert.Equal(["+447700900123"], detail.GetProperty("phones").EnumerateArray().Select(p => p.GetString()));
        Assert.Equal(["GB.42"], detail.GetProperty("userIds").EnumerateArray().Select(p => p.GetString()));
        var deal = Assert.Single(detail.GetProperty("deals").EnumerateArray());
        Assert.Equal(("Fleet order", 12000m), (deal.GetProperty("title").GetString(), deal.GetProperty("value").GetDecimal()));

        var missing = await _host.Api.GetAsync("/api/v1/contacts/999999");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.BadRequest, (await _host.Api.GetAsync("/api/v1/contacts?phone=call%20me")).StatusCode);
        Assert.Empty((await GetJsonAsync("/api/v1/contacts?phone=%2B4930123456")).GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task Contacts_ArePagedAndSearchable_WildcardsInTheSearchAreLiteral()
    {
        for (int i = 0; i < 5; i++)
            await _host.PostWebhookAsync(Payloads.Text($"4917012345{i:D3}", $"wamid.l{i}", T0 + i, "hi"));
        await _host.WaitForProcessingAsync();
        await using (var c = await _host.Services.GetRequiredService<Database>().OpenAsync())
            await c.ExecuteAsync("UPDATE contacts SET name = 'Zoë 100% Müller' WHERE id = (SELECT MIN(id) FROM contacts)");

        var first = await GetJsonAsync("/api/v1/contacts?page=1&pageSize=2");
        Assert.Equal((5, 2), (first.GetProperty("total").GetInt32(), first.GetProperty("items").GetArrayLength()));
        var last = await GetJsonAsync("/api/v1/contacts?page=3&pageSize=2");
        Assert.Equal(1, last.GetProperty("items").GetArrayLength());

        Assert.Equal(1, (await GetJsonAsync("/api/v1/contacts?q=100%25")).GetProperty("total").GetInt32());
        Assert.Equal(0, (await GetJsonAsync("/api/v1/contacts?q=1_0")).GetProperty("total").GetInt32());
        Assert.Equal(4, (await GetJsonAsync("/api/v1/contacts?q=EXAMPLE")).GetProperty("total").GetInt32()); // the renamed one no longer matches
    }
}
