using System.Data.Common;
using Dapper;
using Threadline.Store;

namespace Threadline.IntegrationTests.Infrastructure;

/// <summary>Rows of ~4 KiB (a page each) in a table <c>blobs (id, body)</c>: a write-ahead log that grows by known amounts.</summary>
public static class Blobs
{
    /// <summary>
    /// Writes rows <paramref name="first"/> … <paramref name="first"/> + <paramref name="rows"/> − 1, 16 to a transaction:
    /// to the main store as the inbox worker does (no fsync), or to the inbox store as the webhook endpoint does (durable).
    /// </summary>
    public static async Task WriteAsync(Database db, int first, int rows, bool inbox = false)
    {
        await using var c = inbox ? await db.OpenInboxAsync() : await db.OpenAsync(derivedDataOnly: true);
        for (int start = first; start < first + rows; start += 16)
        {
            await using DbTransaction tx = await c.BeginTransactionAsync();
            for (int i = start; i < Math.Min(start + 16, first + rows); i++)
                await c.ExecuteAsync("INSERT INTO blobs (id, body) VALUES (@i, @body)", new { i, body = new byte[4000] }, tx);
            await tx.CommitAsync();
        }
    }
}
