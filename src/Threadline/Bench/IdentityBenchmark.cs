using System.Diagnostics;
using System.Globalization;
using Threadline.Import;
using Threadline.Pipeline.Capture;
using Threadline.Pipeline.Identity;
using Threadline.Store;
using Threadline.Store.Identity;
using Threadline.Store.Migrations;

namespace Threadline.Bench;

/// <summary>What <c>threadline bench identity</c> measured.</summary>
public sealed record IdentityReport(int Contacts, TimeSpan Generate, TimeSpan Import, ImportReport ImportResult, int Messages, TimeSpan Resolve,
    TimeSpan DuplicateScan, int DuplicatePairs, string Store);

/// <summary>
/// Step 2 at scale on a fresh SQLite store: import N generated contacts from CSV (the real importer), resolve senders
/// of simulated messages against them (the pipeline's load + decide, in batches like the inbox worker), and run the
/// duplicate scan over all of them. Each figure is wall time on this machine.
/// </summary>
public sealed class IdentityBenchmark(int contacts, int messages, Action<string> log)
{
    private static readonly string[] First = ["Anna", "Jonas", "Maria", "Lukas", "Sophie", "Paul", "Emma", "Ben", "Mia", "Leon", "Ana", "João", "José", "Priya", "Olivia", "Noah", "Chen", "Fatma", "Ivan", "Zoë"];
    private static readonly string[] Last = ["Weber", "Schmidt", "Müller", "Silva", "Santos", "García", "Smith", "Brown", "Sharma", "Rossi", "Dubois", "Kowalski", "Nguyen", "Yilmaz", "Ivanova", "Jensen"];

    public async Task<IdentityReport> RunAsync(CancellationToken ct)
    {
        string directory = Path.Combine(Path.GetTempPath(), "threadline-bench-identity", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            var db = new Database(new StorageOptions { ConnectionString = $"Data Source={Path.Combine(directory, "bench.db")}" });
            await new MigrationRunner(db, TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<MigrationRunner>.Instance).ApplyAsync(ct);

            var clock = Stopwatch.StartNew();
            string csv = Path.Combine(directory, "contacts.csv");
            var numbers = await WriteCsvAsync(csv, ct);
            var generate = clock.Elapsed;
            log($"Generated {contacts:N0} contacts in {generate.TotalSeconds:N1} s");

            clock.Restart();
            ImportReport imported;
            using (var reader = new StreamReader(csv))
                imported = await new ContactImport(db, TimeProvider.System).RunAsync(reader, "DE", dryRun: false,
                    rows => { if (rows % 100_000 == 0) log($"  imported {rows:N0}"); }, ct);
            var import = clock.Elapsed;
            log($"Imported {imported.Rows:N0} rows in {import.TotalSeconds:N1} s: {imported.Created:N0} created, {imported.Updated:N0} updated, {imported.Rejected.Count:N0} rejected");

            var resolve = await ResolveAsync(db, numbers, ct);
            log($"Resolved {messages:N0} senders in {resolve.TotalSeconds:N2} s = {resolve.TotalMicroseconds / messages:N1} µs per message");

            clock.Restart();
            var (candidates, conflicts) = await new ContactQueries(db).DuplicateInputsAsync(ct);
            var pairs = DuplicateFinder.Find(candidates, conflicts);
            var scan = clock.Elapsed;
            log($"Duplicate scan over {candidates.Count:N0} contacts: {pairs.Count:N0} candidate pairs in {scan.TotalSeconds:N1} s");
            return new IdentityReport(contacts, generate, import, imported, messages, resolve, scan, pairs.Count, db.Describe());
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { Directory.Delete(directory, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>A realistic CSV: German numbers in national and international notation, half with email, 1 % sharing an
    /// email with another row (duplicates to find), companies with several people each.</summary>
    private async Task<List<string>> WriteCsvAsync(string path, CancellationToken ct)
    {
        var random = new Random(42);
        var numbers = new List<string>(contacts);
        await using var writer = new StreamWriter(path);
        await writer.WriteLineAsync("name,phone,email,company,owner,tags,language");
        for (int i = 0; i < contacts; i++)
        {
            string first = First[random.Next(First.Length)], last = Last[random.Next(Last.Length)];
            string subscriber = (10_000_000 + i).ToString(CultureInfo.InvariantCulture); // unique per contact
            string e164 = "+49151" + subscriber;
            numbers.Add(e164);
            string phone = (i % 3) switch { 0 => "0151 " + subscriber, 1 => "+49 151 " + subscriber, _ => "0049151" + subscriber };
            string email = i % 2 == 0 ? "" : i % 100 == 1 ? $"shared{i / 1000}@example.com" : $"{first}.{last}.{i}@example.com".ToLowerInvariant();
            string company = i % 4 == 0 ? "" : $"Company {random.Next(contacts / 20 + 1)} GmbH";
            await writer.WriteLineAsync($"{first} {last},{phone},{email},{company},agent{i % 7},lead,de");
        }
        return numbers;
    }

    private async Task<TimeSpan> ResolveAsync(Database db, List<string> numbers, CancellationToken ct)
    {
        var random = new Random(7);
        var identities = new IdentityStore(db);
        var batches = Enumerable.Range(0, messages).Select(i =>
        {
            // 90 % known senders (a third of them in WhatsApp's form without the leading 0 issues), 10 % strangers.
            string waId = i % 10 == 0 ? "4917" + (90_000_000 + i).ToString(CultureInfo.InvariantCulture) : numbers[random.Next(numbers.Count)][1..];
            return new WaMessage
            {
                WaMessageId = "wamid.bench." + i, Direction = MessageDirection.Inbound, SentBy = SentBy.Contact, WaId = waId,
                Timestamp = DateTimeOffset.FromUnixTimeSeconds(1_760_000_000 + i), Type = "text", Text = "hi", RawJson = "{}",
            };
        }).Chunk(256).ToList();

        await using var c = await db.OpenAsync(ct);
        var clock = Stopwatch.StartNew();
        foreach (var batch in batches)
        {
            // Exactly what the inbox worker does for identity, minus the writes: collect senders, load owners, decide.
            var senders = IdentityStage.Senders(batch, []);
            await using var tx = await c.BeginTransactionAsync(ct);
            var known = await identities.KnownAsync(c, tx, IdentityStage.Lookups(senders, batch), ct);
            var resolutions = IdentityStage.Resolve(senders, known);
            if (resolutions.Count == 0) throw new InvalidOperationException("no senders resolved");
            await tx.RollbackAsync(ct);
        }
        return clock.Elapsed;
    }
}
