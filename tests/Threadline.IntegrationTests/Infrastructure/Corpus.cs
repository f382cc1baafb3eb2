using System.Text.Json;

namespace Threadline.IntegrationTests.Infrastructure;

/// <summary>The webhook payloads of shared/corpus/pywa-updates (written outside this project), one per case.</summary>
public static class Corpus
{
    public static string Directory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "shared", "corpus", "pywa-updates");
            if (System.IO.Directory.Exists(candidate)) return candidate;
        }
        throw new DirectoryNotFoundException("shared/corpus/pywa-updates not found above " + AppContext.BaseDirectory);
    }

    public static IEnumerable<(string Name, string Body)> Payloads()
    {
        foreach (string file in System.IO.Directory.GetFiles(Directory(), "*.json").Order())
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(file));
            foreach (var property in doc.RootElement.EnumerateObject())
                yield return ($"{Path.GetFileName(file)}:{property.Name}", property.Value.GetRawText());
        }
    }
}
