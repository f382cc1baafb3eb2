using Microsoft.Extensions.Configuration;
using Threadline.Store;

namespace Threadline.Cli;

/// <summary>The store the CLI's offline verbs work on, from the same configuration sources as the server.</summary>
public static class CliStore
{
    public static IConfiguration Configuration(string[] args) => new ConfigurationBuilder()
        .SetBasePath(AppContext.BaseDirectory)
        .AddJsonFile("appsettings.json", optional: true)
        .AddEnvironmentVariables()
        .AddCommandLine(args)
        .Build();

    public static Database Open(string[] args)
    {
        var options = new StorageOptions();
        Configuration(args).GetSection(StorageOptions.Section).Bind(options);
        return new Database(options);
    }
}
