using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Threadline.IntegrationTests.Infrastructure;

namespace Threadline.IntegrationTests.Identity;

public sealed class SqliteContactWritesApiTests() : ContactWritesApiTests(StoreKind.Sqlite);
public sealed class PostgresContactWritesApiTests() : ContactWritesApiTests(StoreKind.Postgres);

/// <summary>Creating and changing contacts, companies and deals; inbound messages then land on what people entered.</summary>
public abstract class ContactWritesApiTests(StoreKind store) : IAsyncLifetime
{
    private ThreadlineHost _host = null!;

    public async Task InitializeAsync() => _host = await ThreadlineHost.StartAsync(store, new Dictionary<string, string?> { ["Business:DefaultRegion"] = "DE" });
    public async Task DisposeAsync() => await _host.DisposeAsync();

    private async Task<long> CreatedIdAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
    }

    [Fact]
    public async Task ContactEnteredByAPerson_InNationalFormat_ReceivesTheWhatsAppMessage_LinkedToCompanyAndDeal()
    {
        long company = await CreatedIdAsync(await _host.Api.PostAsJsonAsync("/api/v1/companies", new { name = "Weber GmbH", domain = "Weber.de" }));
        long contact = await CreatedIdAsync(await _host.Api.PostAsJsonAsync("/api/v1/contacts",
            new { name = "Jonas Weber", phones = new[] { "0170-1234567" }, email = "jonas@weber.de", owner = "anna", tags = new[] { "vip-lead", "b2b" }, companyId = company }));
        long deal = await CreatedIdAsync(await _host.Api.PostAsJsonAsync("/api/v1/deals",
            new { contactId = contact, title = "20 units", stage = "quote_sent", value = 12000m, currency = "EUR" }));

        await _host.PostWebhookAsync(Payloads.Text("491701234567", "wamid.w1", 1_760_000_000, "Was kostet das?"));
        await _host.WaitForProcessingAsync();

        var detail = await _host.Api.GetFromJsonAsync<JsonElement>($"/api/v1/contacts/{contact}");
        Assert.Equal(["+491701234567"], detail.GetProperty("phones").EnumerateArray().Select(p => p.GetString()));
        Assert.Equal("Europe/Berlin", detail.GetProperty("contact").GetProperty("timeZone").GetString());
        Assert.Equal(["vip-lead", "b2b"], detail.GetProperty("contact").GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        var contacts = await _host.Api.GetFromJsonAsync<JsonElement>("/api/v1/contacts");
        Assert.Equal(1, contacts.GetProperty("total").GetInt32()); // no second contact was created for the WhatsApp sender

        Assert.Equal(HttpStatusCode.OK, (await _host.Api.PatchAsJsonAsync($"/api/v1/deals/{deal}", new { stage = "won" })).StatusCode);
        detail = await _host.Api.GetFromJsonAsync<JsonElement>($"/api/v1/contacts/{contact}");
        Assert.Equal(("won", "won"), (detail.GetProperty("deals")[0].GetProperty("stage").GetString(), detail.GetProperty("deals")[0].GetProperty("status").GetString()));
    }

    [Fact]
    public async Task BadInput_IsRefusedWithAClearProblem_AndTheSameNumberTwiceIsAConflict()
    {
        long first = await CreatedIdAsync(await _host.Api.PostAsJsonAsync("/api/v1/contacts", new { name = "A", phones = new[] { "+49 170 1234567" } }));

        var duplicate = await _host.Api.PostAsJsonAsync("/api/v1/contacts", new { name = "B", phones = new[] { "0049 170 1234567" } });
        Assert.Equal(HttpStatusCode.Conflict, duplicate.StatusCode);
        Assert.Equal(first, (await duplicate.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("contactId").GetInt64());

        var unreadable = await _host.Api.PostAsJsonAsync("/api/v1/contacts", new { name = "C", phones = new[] { "call me maybe" } });
        Assert.Equal(HttpStatusCode.BadRequest, unreadable.StatusCode);
        Assert.Contains("call me maybe", (await unreadable.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());

        Assert.Equal(HttpStatusCode.BadRequest, (await _host.Api.PostAsJsonAsync("/api/v1/deals", new { contactId = first, title = "x", stage = "maybe" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await _host.Api.PostAsJsonAsync("/api/v1/deals", new { contactId = 99999, title = "x" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _host.Api.PatchAsJsonAsync("/api/v1/contacts/99999", new { name = "x" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _host.Api.PatchAsJsonAsync("/api/v1/deals/99999", new { stage = "won" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await _host.Api.PostAsJsonAsync("/api/v1/contacts", new { name = "D", companyId = 424242 })).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await _host.Api.PatchAsJsonAsync($"/api/v1/contacts/{first}", new { language = "de", phones = new[] { "+49 151 22223333" } })).StatusCode);
        var detail = await _host.Api.GetFromJsonAsync<JsonElement>($"/api/v1/contacts/{first}");
        Assert.Equal(("A", "de"), (detail.GetProperty("contact").GetProperty("name").GetString(), detail.GetProperty("contact").GetProperty("language").GetString()));
        Assert.Equal(2, detail.GetProperty("phones").GetArrayLength());
    }

    [Fact]
    public async Task Duplicates_AreListedWithScoreAndReasons_NothingIsMerged()
    {
        long company = await CreatedIdAsync(await _host.Api.PostAsJsonAsync("/api/v1/companies", new { name = "Weber GmbH" }));
        long a = await CreatedIdAsync(await _host.Api.PostAsJsonAsync("/api/v1/contacts", new { name = "Jonas Weber", email = "jonas@weber.de", companyId = company }));
        long b = await CreatedIdAsync(await _host.Api.PostAsJsonAsync("/api/v1/contacts", new { name = "Weber, Jonas", email = "JONAS@weber.de", companyId = company }));
        await CreatedIdAsync(await _host.Api.PostAsJsonAsync("/api/v1/contacts", new { name = "Anna Schmidt", companyId = company }));

        var duplicates = await _host.Api.GetFromJsonAsync<JsonElement>("/api/v1/contacts/duplicates");
        var pair = Assert.Single(duplicates.EnumerateArray());
        Assert.Equal((a, b), (pair.GetProperty("contactId").GetInt64(), pair.GetProperty("otherContactId").GetInt64()));
        var reasons = pair.GetProperty("reasons").EnumerateArray().Select(r => r.GetString()!).ToList();
        Assert.Contains("same email", reasons);
        Assert.Contains(reasons, r => r.StartsWith("similar name at the same company"));
        Assert.Equal(3, (await _host.Api.GetFromJsonAsync<JsonElement>("/api/v1/contacts")).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task DealStages_AreConfigurable_AndCompaniesCanBeRenamed()
    {
        await using var host = await ThreadlineHost.StartAsync(store, new Dictionary<string, string?>
        {
            ["Business:DealStages:0"] = "lead", ["Business:DealStages:1"] = "demo_booked", ["Business:DealStages:2"] = "won", ["Business:DealStages:3"] = "lost",
        });
        var created = await host.Api.PostAsJsonAsync("/api/v1/contacts", new { name = "Ana" });
        long contact = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        var deal = await host.Api.PostAsJsonAsync("/api/v1/deals", new { contactId = contact, title = "Pilot" }); // first stage by default
        Assert.Equal(HttpStatusCode.Created, deal.StatusCode);
        var refused = await host.Api.PostAsJsonAsync("/api/v1/deals", new { contactId = contact, title = "x", stage = "negotiation" });
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("lead, demo_booked, won, lost", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        var detail = await host.Api.GetFromJsonAsync<JsonElement>($"/api/v1/contacts/{contact}");
        Assert.Equal("lead", detail.GetProperty("deals")[0].GetProperty("stage").GetString());

        var company = await host.Api.PostAsJsonAsync("/api/v1/companies", new { name = "Acme" });
        long companyId = (await company.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        Assert.Equal(HttpStatusCode.OK, (await host.Api.PatchAsJsonAsync($"/api/v1/companies/{companyId}", new { name = "Acme Ltd", domain = "ACME.example" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await host.Api.PatchAsJsonAsync("/api/v1/companies/999999", new { name = "x" })).StatusCode);
    }
}
