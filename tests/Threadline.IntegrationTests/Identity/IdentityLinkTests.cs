using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Threadline.IntegrationTests.Infrastructure;
using Threadline.Store;

namespace Threadline.IntegrationTests.Identity;

public sealed class SqliteIdentityLinkTests() : IdentityLinkTests(StoreKind.Sqlite);
public sealed class PostgresIdentityLinkTests() : IdentityLinkTests(StoreKind.Postgres);

/// <summary>Step 2 through the real pipeline: every message lands on one contact, however WhatsApp names the sender.</summary>
public abstract class IdentityLinkTests(StoreKind store) : IAsyncLifetime
{
    private const long T0 = 1_760_000_000;
    private ThreadlineHost _host = null!;

    public async Task InitializeAsync() => _host = await ThreadlineHost.StartAsync(store);
    public async Task DisposeAsync() => await _host.DisposeAsync();

    private async Task<List<(string Message, long Contact, string How)>> LinksAsync()
    {
        await using var c = await _host.Services.GetRequiredService<Database>().OpenAsync();
        return (await c.QueryAsync<(string, long, string)>("SELECT wa_message_id, contact_id, matched_by FROM message_links ORDER BY wa_message_id")).ToList();
    }

    [Fact]
    public async Task NewSender_BecomesAContactNamedByProfile_LaterMessagesAndNumberFormsLandOnIt()
    {
        await _host.PostWebhookAsync(Payloads.Text("5511981234567", "wamid.a1", T0, "Oi, quanto custa?"));        // Brazil with the ninth digit
        await _host.WaitForProcessingAsync();
        await _host.PostWebhookAsync(Payloads.Text("551181234567", "wamid.a2", T0 + 5, "e o frete?"));             // WhatsApp's form without it
        await _host.PostWebhookAsync(Payloads.Text("5511981234567", "wamid.a3", T0 + 9, "obrigado"));
        await _host.WaitForProcessingAsync();

        var links = await LinksAsync();
        Assert.Equal(3, links.Count);
        Assert.Single(links.Select(l => l.Contact).Distinct());
        Assert.Equal(["new_contact", "phone_variant", "wa_id"], links.Select(l => l.How));
        await using var c = await _host.Services.GetRequiredService<Database>().OpenAsync();
        Assert.Equal(("Ana Example", "America/Sao_Paulo"), await c.QuerySingleAsync<(string, string)>("SELECT name, time_zone FROM contacts"));
    }

    [Fact]
    public async Task UsernameOnlyUser_ThenWithNumber_ThenNumberChange_StaysOneContact()
    {
        const string userId = "DE.5432109876543210987";
        await _host.PostWebhookAsync(Payloads.Inbound(null, userId, Payloads.TextMessage(null, "wamid.b1", T0, "hi", fromUserId: userId)));
        await _host.WaitForProcessingAsync();
        await _host.PostWebhookAsync(Payloads.Inbound("4917611112222", userId, Payloads.TextMessage("4917611112222", "wamid.b2", T0 + 5, "me again", fromUserId: userId)));
        await _host.WaitForProcessingAsync();
        var change = new System.Text.Json.Nodes.JsonObject
        {
            ["from"] = "4917611112222", ["id"] = "wamid.b3", ["timestamp"] = (T0 + 9).ToString(), ["type"] = "system",
            ["system"] = new System.Text.Json.Nodes.JsonObject { ["body"] = "User changed number", ["wa_id"] = "4917633334444", ["type"] = "user_changed_number" },
        };
        await _host.PostWebhookAsync(Payloads.Envelope("messages", new System.Text.Json.Nodes.JsonObject { ["messages"] = new System.Text.Json.Nodes.JsonArray(change) }));
        await _host.WaitForProcessingAsync();
        await _host.PostWebhookAsync(Payloads.Text("4917633334444", "wamid.b4", T0 + 20, "new phone, same me"));
        await _host.WaitForProcessingAsync();

        var links = await LinksAsync();
        Assert.Equal(4, links.Count);
        Assert.Single(links.Select(l => l.Contact).Distinct());
        await using var c = await _host.Services.GetRequiredService<Database>().OpenAsync();
        Assert.Equal(1, await c.QuerySingleAsync<long>("SELECT COUNT(*) FROM contacts"));
        var identities = (await c.QueryAsync<string>("SELECT value FROM contact_identities ORDER BY value")).ToList();
        Assert.Equal(["+4917611112222", "+4917633334444", userId], identities);
    }

    [Fact]
    public async Task Message_IsLinkedToTheContactsCompanyAndMostRecentOpenDeal_SeveralOpenDealsAreFlagged()
    {
        await _host.PostWebhookAsync(Payloads.Text("447700900123", "wamid.c1", T0, "hello"));
        await _host.WaitForProcessingAsync();
        await using (var c = await _host.Services.GetRequiredService<Database>().OpenAsync())
        {
            long company = await c.QuerySingleAsync<long>("INSERT INTO companies (name, created_at) VALUES ('Acme Ltd', 0) RETURNING id");
            await c.ExecuteAsync("UPDATE contacts SET company_id = @company", new { company });
            await c.ExecuteAsync("""
                INSERT INTO deals (contact_id, company_id, title, stage, status, last_activity_at, created_at)
                SELECT id, company_id, 'Old quote', 'quote_sent', 'open', 100, 0 FROM contacts;
                INSERT INTO deals (contact_id, company_id, title, stage, status, last_activity_at, created_at)
                SELECT id, company_id, 'New order', 'negotiation', 'open', 200, 0 FROM contacts;
                """);
        }
        await _host.PostWebhookAsync(Payloads.Text("447700900123", "wamid.c2", T0 + 5, "about the order"));
        await _host.WaitForProcessingAsync();

        await using var check = await _host.Services.GetRequiredService<Database>().OpenAsync();
        var link = await check.QuerySingleAsync<(long? CompanyId, string? Deal, bool Ambiguous)>("""
            SELECT l.company_id, d.title, l.deal_ambiguous FROM message_links l LEFT JOIN deals d ON d.id = l.deal_id WHERE l.wa_message_id = 'wamid.c2'
            """);
        Assert.NotNull(link.CompanyId);
        Assert.Equal(("New order", true), (link.Deal, link.Ambiguous));
    }
}
