using System.Text;
using System.Text.Json;

namespace Threadline.Tests.WhatsApp;

/// <summary>
/// The pywa webhook corpus (shared/corpus/pywa-updates/*.json: each file maps case names to whole webhook bodies). The
/// corpus lives in <c>shared/</c>, a sibling of the repository root, so it is found by walking up from the test binary.
/// </summary>
public static class PywaCorpus
{
    private const string RelativeDir = "shared/corpus/pywa-updates";

    private static readonly Lazy<IReadOnlyDictionary<string, byte[]>> Cases = new(Load);

    public static string Directory { get; } = Locate();

    /// <summary>xunit MemberData rows: one per case, named <c>file.json:case</c>.</summary>
    public static IEnumerable<object[]> CaseNames() => Cases.Value.Keys.Order(StringComparer.Ordinal).Select(k => new object[] { k });

    /// <summary>The body of <paramref name="name"/> (<c>file.json:case</c>) as UTF-8 bytes, exactly as written in the corpus.</summary>
    public static byte[] Body(string name) =>
        Cases.Value.TryGetValue(name, out byte[]? body) ? body : throw new KeyNotFoundException($"No corpus case {name}");

    public static int Count => Cases.Value.Count;

    private static string Locate()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, RelativeDir);
            if (System.IO.Directory.Exists(candidate))
                return candidate;
        }
        throw new DirectoryNotFoundException($"No {RelativeDir} above {AppContext.BaseDirectory}");
    }

    private static IReadOnlyDictionary<string, byte[]> Load()
    {
        var cases = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (string file in System.IO.Directory.EnumerateFiles(Directory, "*.json"))
        {
            using JsonDocument doc = JsonDocument.Parse(File.ReadAllBytes(file));
            foreach (JsonProperty @case in doc.RootElement.EnumerateObject())
                cases[$"{Path.GetFileName(file)}:{@case.Name}"] = Encoding.UTF8.GetBytes(@case.Value.GetRawText());
        }
        return cases;
    }
}
