using Threadline.Store;

namespace Threadline.Tests.Store;

/// <summary><c>Storage:InboxPath</c>: where the SQLite inbox lives, refused where it makes no sense.</summary>
public sealed class InboxPathTests
{
    [Fact]
    public void Is_refused_on_PostgreSQL_where_the_inbox_is_a_table()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new Database(new StorageOptions
        {
            Provider = "postgres", ConnectionString = "Host=localhost;Database=threadline", InboxPath = "/var/lib/threadline/inbox.db",
        }));
        Assert.Contains("Storage:InboxPath applies to SQLite only", error.Message);
    }

    [Fact]
    public void Is_refused_when_it_names_the_main_store_itself()
    {
        string main = Path.Combine(Path.GetTempPath(), "threadline-tests", Guid.NewGuid().ToString("N"), "threadline.db");
        var error = Assert.Throws<InvalidOperationException>(() => new Database(new StorageOptions
        {
            ConnectionString = $"Data Source={main}", InboxPath = Path.Combine(Path.GetDirectoryName(main)!, ".", "threadline.db"),
        }));
        Assert.Contains("must not be the main store's file", error.Message);
    }
}
