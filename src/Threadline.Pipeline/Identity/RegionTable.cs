using System.Globalization;
using System.Text.RegularExpressions;

namespace Threadline.Pipeline.Identity;

/// <summary>
/// One ISO 3166 region's dialling rules, one row of <c>Data/regions.csv</c>.
/// </summary>
/// <param name="Region">ISO 3166-1 alpha-2 code (upper case).</param>
/// <param name="CallingCode">ITU-T E.164 country calling code, 1–3 digits, no <c>+</c>.</param>
/// <param name="TrunkPrefixes">National (trunk) prefixes dialled before a national number; empty when the region has none (Italy, Spain …).</param>
/// <param name="InternationalPrefixes">Prefixes dialled before a calling code from this region (<c>00</c>, <c>011</c>, <c>810</c> …).</param>
/// <param name="NationalLengths">Valid lengths of the national significant number (without trunk prefix).</param>
/// <param name="TimeZone">Primary IANA time zone id.</param>
/// <param name="Main">True for the region a shared calling code resolves to.</param>
/// <param name="LeadingDigits">National-number prefixes that identify this (non-main) region within a shared calling code.</param>
public sealed record RegionInfo(
    string Region,
    string CallingCode,
    IReadOnlyList<string> TrunkPrefixes,
    IReadOnlyList<string> InternationalPrefixes,
    IReadOnlyList<int> NationalLengths,
    string TimeZone,
    bool Main,
    IReadOnlyList<string> LeadingDigits)
{
    /// <summary>True when this region belongs to the North American Numbering Plan (+1).</summary>
    public bool IsNanp => CallingCode == "1";

    /// <summary>Shortest valid national number length.</summary>
    public int MinLength => NationalLengths.Min();

    /// <summary>Longest valid national number length.</summary>
    public int MaxLength => NationalLengths.Max();
}

/// <summary>One row of <c>Data/nanp_area_codes.csv</c>: a NANP area code, its member region and its IANA zone (null for non-geographic codes).</summary>
public sealed record NanpAreaCode(string AreaCode, string Region, string? TimeZone);

/// <summary>
/// The calling-code table (<c>Data/regions.csv</c>) and the NANP area-code table (<c>Data/nanp_area_codes.csv</c>),
/// embedded in this assembly and read once. The data is ours: a malformed row is a <see cref="FormatException"/> naming the line.
/// </summary>
public sealed partial class RegionTable
{
    private static readonly Lazy<RegionTable> LazyDefault = new(LoadEmbedded, LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly Dictionary<string, RegionInfo> _byRegion;
    private readonly Dictionary<string, List<RegionInfo>> _byCallingCode;
    private readonly Dictionary<string, NanpAreaCode> _nanp;

    /// <summary>The embedded table, loaded on first use.</summary>
    public static RegionTable Default => LazyDefault.Value;

    /// <summary>All region rows in file order.</summary>
    public IReadOnlyList<RegionInfo> Regions { get; }

    /// <summary>All NANP area-code rows in file order.</summary>
    public IReadOnlyList<NanpAreaCode> NanpAreaCodes { get; }

    private RegionTable(List<RegionInfo> regions, List<NanpAreaCode> nanp)
    {
        Regions = regions;
        NanpAreaCodes = nanp;
        _byRegion = regions.ToDictionary(r => r.Region, StringComparer.Ordinal);
        _byCallingCode = regions.GroupBy(r => r.CallingCode).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        _nanp = nanp.ToDictionary(n => n.AreaCode, StringComparer.Ordinal);
    }

    /// <summary>The row of an ISO 3166 region (case-insensitive), or null.</summary>
    public RegionInfo? ByRegion(string? region)
    {
        if (string.IsNullOrWhiteSpace(region)) return null;
        return _byRegion.GetValueOrDefault(region.Trim().ToUpperInvariant());
    }

    /// <summary>All regions sharing a calling code (main first), or empty.</summary>
    public IReadOnlyList<RegionInfo> ByCallingCode(string callingCode) =>
        _byCallingCode.TryGetValue(callingCode, out var list) ? list : [];

    /// <summary>The main region of a calling code, or null when the code is not assigned.</summary>
    public RegionInfo? MainFor(string callingCode) =>
        _byCallingCode.TryGetValue(callingCode, out var list) ? list.First(r => r.Main) : null;

    /// <summary>The NANP row of a three-digit area code, or null.</summary>
    public NanpAreaCode? NanpArea(string areaCode) => _nanp.GetValueOrDefault(areaCode);

    /// <summary>
    /// The calling code that <paramref name="digits"/> starts with (calling codes are prefix-free, so at most one matches), or null.
    /// </summary>
    public string? MatchCallingCode(ReadOnlySpan<char> digits)
    {
        for (var len = 1; len <= 3 && len <= digits.Length; len++)
        {
            var candidate = digits[..len].ToString();
            if (_byCallingCode.ContainsKey(candidate)) return candidate;
        }
        return null;
    }

    private static RegionTable LoadEmbedded()
    {
        var asm = typeof(RegionTable).Assembly;
        using var regions = Open(asm, "Threadline.Pipeline.Identity.Data.regions.csv");
        using var nanp = Open(asm, "Threadline.Pipeline.Identity.Data.nanp_area_codes.csv");
        return Load(regions, nanp);

        static StreamReader Open(System.Reflection.Assembly asm, string name) =>
            new(asm.GetManifestResourceStream(name) ?? throw new InvalidOperationException($"embedded resource {name} missing"));
    }

    /// <summary>Parses and validates both tables. Throws <see cref="FormatException"/> with the file and line number of a bad row.</summary>
    public static RegionTable Load(TextReader regionsCsv, TextReader nanpCsv)
    {
        var regions = new List<RegionInfo>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (line, fields) in Rows(regionsCsv, "regions.csv", 8))
        {
            Fail fail = msg => throw new FormatException($"regions.csv line {line}: {msg}");
            var region = fields[0];
            if (!RegionCode().IsMatch(region)) fail($"region '{region}' is not an upper-case ISO 3166 alpha-2 code");
            if (!seen.Add(region)) fail($"duplicate region {region}");
            var cc = fields[1];
            if (!CallingCodeRx().IsMatch(cc)) fail($"calling code '{cc}' is not 1–3 digits without a leading 0");
            var trunk = DigitList(fields[2], allowEmpty: true, "trunk_prefix", fail);
            var intl = DigitList(fields[3], allowEmpty: false, "international_prefix", fail);
            var lengths = new List<int>();
            foreach (var part in fields[4].Split('|'))
            {
                if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < 2 || n > 14)
                    fail($"national length '{part}' is not a number 2–14");
                lengths.Add(n);
            }
            if (lengths.Any(l => cc.Length + l > 15)) fail("calling code plus national length exceeds 15 digits");
            var zone = fields[5];
            if (!ZoneRx().IsMatch(zone)) fail($"time zone '{zone}' is not an IANA Area/City id");
            var main = fields[6] switch { "1" => true, "0" => false, _ => throw new FormatException($"regions.csv line {line}: main must be 0 or 1") };
            var leading = DigitList(fields[7], allowEmpty: true, "leading_digits", fail);
            regions.Add(new RegionInfo(region, cc, trunk, intl, lengths.Distinct().Order().ToList(), zone, main, leading));
        }

        foreach (var group in regions.GroupBy(r => r.CallingCode))
        {
            var mains = group.Count(r => r.Main);
            if (mains != 1) throw new FormatException($"regions.csv: calling code {group.Key} has {mains} main regions, expected exactly 1");
        }
        var codes = regions.Select(r => r.CallingCode).Distinct().ToList();
        foreach (var a in codes)
            foreach (var b in codes)
                if (a != b && b.StartsWith(a, StringComparison.Ordinal))
                    throw new FormatException($"regions.csv: calling code {a} is a prefix of {b}");

        var byRegion = regions.ToDictionary(r => r.Region);
        var nanp = new List<NanpAreaCode>();
        var seenArea = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (line, fields) in Rows(nanpCsv, "nanp_area_codes.csv", 3))
        {
            var area = fields[0];
            if (!AreaCodeRx().IsMatch(area)) throw new FormatException($"nanp_area_codes.csv line {line}: area code '{area}' is not [2-9]XX");
            if (!seenArea.Add(area)) throw new FormatException($"nanp_area_codes.csv line {line}: duplicate area code {area}");
            if (!byRegion.TryGetValue(fields[1], out var info) || !info.IsNanp)
                throw new FormatException($"nanp_area_codes.csv line {line}: region '{fields[1]}' is not a NANP region in regions.csv");
            var zone = fields[2];
            if (zone.Length > 0 && !ZoneRx().IsMatch(zone))
                throw new FormatException($"nanp_area_codes.csv line {line}: time zone '{zone}' is not an IANA Area/City id");
            nanp.Add(new NanpAreaCode(area, fields[1], zone.Length == 0 ? null : zone));
        }
        return new RegionTable(regions, nanp);
    }

    private delegate void Fail(string message);

    private static List<string> DigitList(string field, bool allowEmpty, string column, Fail fail)
    {
        if (field.Length == 0)
        {
            if (!allowEmpty) fail($"{column} is empty");
            return [];
        }
        var parts = field.Split('|').ToList();
        foreach (var p in parts)
            if (p.Length == 0 || !p.All(char.IsAsciiDigit)) fail($"{column} '{field}' is not digits separated by '|'");
        return parts;
    }

    /// <summary>Data rows (after the header; '#' comments and blank lines skipped) with their 1-based line numbers.</summary>
    private static IEnumerable<(int Line, string[] Fields)> Rows(TextReader reader, string file, int columns)
    {
        var lineNo = 0;
        var headerSeen = false;
        while (reader.ReadLine() is { } raw)
        {
            lineNo++;
            var text = raw.Trim();
            if (text.Length == 0 || text.StartsWith('#')) continue;
            var fields = text.Split(',').Select(f => f.Trim()).ToArray();
            if (!headerSeen)
            {
                headerSeen = true;
                continue;
            }
            if (fields.Length != columns)
                throw new FormatException($"{file} line {lineNo}: expected {columns} columns, found {fields.Length}");
            yield return (lineNo, fields);
        }
        if (!headerSeen) throw new FormatException($"{file}: no header row");
    }

    [GeneratedRegex("^[A-Z]{2}$")]
    private static partial Regex RegionCode();

    [GeneratedRegex("^[1-9][0-9]{0,2}$")]
    private static partial Regex CallingCodeRx();

    [GeneratedRegex("^[2-9][0-9]{2}$")]
    private static partial Regex AreaCodeRx();

    [GeneratedRegex("^[A-Z][A-Za-z]+(/[A-Z][A-Za-z0-9_+\\-]*)+$")]
    internal static partial Regex ZoneRx();
}
