using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Threadline.Cli;
using Threadline.Import;
using Threadline.IntegrationTests.Infrastructure;
using Threadline.Store;

namespace Threadline.IntegrationTests.Identity;

[Collection(CliCollection.Name)]
public sealed class SqliteContactImportTests() : ContactImportTests(StoreKind.Sqlite);
[Collection(CliCollection.Name)]
public sealed class PostgresContactImportTests() : ContactImportTests(StoreKind.Postgres);

/// <summary>CSV import (CsvHelper) with a report of created, updated, duplicates and rejected rows; spreadsheet-safe export.</summary>
public abstract class ContactImportTests(StoreKind store) : IAsyncLifetime
{
    private ThreadlineHost _host = null!;

    public async Task InitializeAsync() => _host = await ThreadlineHost.StartAsync(store);
    public async Task DisposeAsync() => await _host.DisposeAsync();

    private const string Csv = """
        Name,PHONE,E-Mail,Company,owner,Tags,language
        Jonas Weber,0170 1234567,jonas@weber.de,Weber GmbH,anna,"vip, b2b",de
        "Weber, Jonas",+49 170 1234567;+49 151 22223333,,Weber GmbH,,,
        Anna Schmidt,call me maybe,anna@x.de,,,,
        ,,,,,,
        Zoë Müller,+33 6 12 34 56 78,jonas@weber.de,,,,fr
        =HYPERLINK(""http://evil""),+44 7700 900123,,Evil Corp,,,
        """;

    [Fact]
    public async Task Import_CreatesUpdatesReportsDuplicatesAndRejectsWithLineNumbers()
    {
        var db = _host.Services.GetRequiredService<Database>();
        var report = await new ContactImport(db, TimeProvider.System).RunAsync(new StringReader(Csv), "DE", dryRun: false, null, default);

        Assert.Equal(6, report.Rows);
        Assert.Equal((4, 1, 1, 1), (report.Created, report.Updated, report.DuplicatesFound, report.FlaggedNumbers));
        Assert.Equal([5], report.Rejected.Select(r => r.Line));
        Assert.Equal("no name, phone or email", report.Rejected[0].Reason);

        // The unreadable number is kept verbatim on its contact, flagged, not dropped.
        var anna = (await _host.Api.GetFromJsonAsync<JsonElement>("/api/v1/contacts?q=anna")).GetProperty("items")[0];
        var annaDetail = await _host.Api.GetFromJsonAsync<JsonElement>($"/api/v1/contacts/{anna.GetProperty("id").GetInt64()}");
        var kept = Assert.Single(annaDetail.GetProperty("identities").EnumerateArray());
        Assert.Equal(("unparsed_phone", "call me maybe"), (kept.GetProperty("kind").GetString(), kept.GetProperty("value").GetString()));

        // The second row (same number written differently) updated the first contact and added its other phone.
        var contact = (await _host.Api.GetFromJsonAsync<JsonElement>("/api/v1/contacts?phone=%2B491701234567")).GetProperty("items")[0];
        var detail = await _host.Api.GetFromJsonAsync<JsonElement>($"/api/v1/contacts/{contact.GetProperty("id").GetInt64()}");
        Assert.Equal(["+491701234567", "+4915122223333"], detail.GetProperty("phones").EnumerateArray().Select(p => p.GetString()));
        Assert.Equal(("Jonas Weber", "Weber GmbH", "Europe/Berlin"), (detail.GetProperty("contact").GetProperty("name").GetString(),
            detail.GetProperty("contact").GetProperty("companyName").GetString(), detail.GetProperty("contact").GetProperty("timeZone").GetString()));
        Assert.Equal(["vip", "b2b"], detail.GetProperty("contact").GetProperty("tags").EnumerateArray().Select(t => t.GetString()));

        // Importing the same file again creates nothing new and flags nothing twice.
        var again = await new ContactImport(db, TimeProvider.System).RunAsync(new StringReader(Csv), "DE", dryRun: false, null, default);
        Assert.Equal((0, 0), (again.Created, again.FlaggedNumbers));
    }

    [Fact]
    public async Task DryRun_ReportsTheSameButWritesNothing_AndTheCliAgrees()
    {
        var db = _host.Services.GetRequiredService<Database>();
        var report = await new ContactImport(db, TimeProvider.System).RunAsync(new StringReader(Csv), "DE", dryRun: true, null, default);
        Assert.Equal((4, 1, 1), (report.Created, report.Updated, report.Rejected.Count));
        await using (var c = await db.OpenAsync())
            Assert.Equal(0, await c.QuerySingleAsync<long>("SELECT COUNT(*) FROM contacts"));

        string file = Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N") + ".csv");
        await File.WriteAllTextAsync(file, Csv);
        string[] storage = _host.StorageArgs();
        Assert.Equal(0, await CliRoot.Create().Parse(["import", "contacts", file, "--region", "DE", .. storage]).InvokeAsync());
        await using (var c = await db.OpenAsync())
            Assert.Equal(4, await c.QuerySingleAsync<long>("SELECT COUNT(*) FROM contacts"));
        Assert.Equal(2, await CliRoot.Create().Parse(["import", "contacts", file + ".missing", .. storage]).InvokeAsync());
    }

    [Fact]
    public async Task Export_WritesEveryContact_FormulaLikeValuesAreNeutralised()
    {
        var db = _host.Services.GetRequiredService<Database>();
        await new ContactImport(db, TimeProvider.System).RunAsync(new StringReader(Csv), "DE", dryRun: false, null, default);
        var output = new StringWriter();
        int count = await new ContactExport(db).RunAsync(output, default);

        Assert.Equal(4, count);
        string csv = output.ToString();
        Assert.Contains("'=HYPERLINK", csv);
        Assert.Contains("'+447700900123", csv);
        Assert.DoesNotContain(",=", csv);
        Assert.DoesNotContain(",+", csv);
    }
}
