using System.Text.RegularExpressions;
using Threadline.Pipeline.Identity;

namespace Threadline.Tests.Pipeline.Identity;

/// <summary>The embedded calling-code and NANP tables load and are internally consistent.</summary>
public partial class RegionTableTests
{
    private static RegionTable Table => RegionTable.Default;

    [Fact]
    public void Every_row_loads_and_covers_the_world()
    {
        Assert.True(Table.Regions.Count >= 240, $"{Table.Regions.Count} regions");
        Assert.True(Table.NanpAreaCodes.Count >= 400, $"{Table.NanpAreaCodes.Count} NANP area codes");
        foreach (var region in new[] { "US", "CA", "DE", "AT", "CH", "GB", "FR", "IT", "ES", "NL", "BR", "MX", "AR", "IN", "AU", "JP", "RU", "KZ", "CN", "ZA", "NG", "EG", "SA", "AE", "TR" })
            Assert.NotNull(Table.ByRegion(region));
    }

    [Fact]
    public void Calling_codes_are_one_to_three_digits_and_prefix_free()
    {
        var codes = Table.Regions.Select(r => r.CallingCode).Distinct().ToList();
        Assert.All(codes, cc => Assert.Matches(CallingCodeRx(), cc));
        foreach (var a in codes)
            Assert.DoesNotContain(codes, b => b != a && b.StartsWith(a, StringComparison.Ordinal));
    }

    [Fact]
    public void Every_zone_is_a_well_formed_IANA_id()
    {
        Assert.All(Table.Regions, r => Assert.Matches(ZoneRx(), r.TimeZone));
        Assert.All(Table.NanpAreaCodes.Where(a => a.TimeZone is not null), a => Assert.Matches(ZoneRx(), a.TimeZone!));
    }

    [Fact]
    public void Every_zone_is_known_to_the_system_time_zone_database()
    {
        // Only meaningful where the host has IANA data (Linux/macOS, or Windows with ICU); the ids stay plain strings in the table.
        if (!TimeZoneInfo.TryFindSystemTimeZoneById("Europe/Berlin", out _) || OperatingSystem.IsWindows()) return;
        var zones = Table.Regions.Select(r => r.TimeZone).Concat(Table.NanpAreaCodes.Select(a => a.TimeZone)).OfType<string>().Distinct();
        Assert.All(zones, z => Assert.True(TimeZoneInfo.TryFindSystemTimeZoneById(z, out _), z));
    }

    [Fact]
    public void No_duplicate_region_and_one_main_region_per_calling_code()
    {
        Assert.Equal(Table.Regions.Count, Table.Regions.Select(r => r.Region).Distinct().Count());
        foreach (var group in Table.Regions.GroupBy(r => r.CallingCode))
            Assert.True(group.Count(r => r.Main) == 1, $"+{group.Key}: {string.Join(",", group.Where(r => r.Main).Select(r => r.Region))}");
        Assert.Equal("US", Table.MainFor("1")!.Region);
        Assert.Equal("RU", Table.MainFor("7")!.Region);
        Assert.Equal("GB", Table.MainFor("44")!.Region);
        Assert.Equal("IT", Table.MainFor("39")!.Region);
        Assert.Equal("NO", Table.MainFor("47")!.Region);
        Assert.Equal("AU", Table.MainFor("61")!.Region);
        Assert.Equal("RE", Table.MainFor("262")!.Region);
        Assert.Equal("GP", Table.MainFor("590")!.Region);
        Assert.Equal("MA", Table.MainFor("212")!.Region);
        Assert.Equal("FI", Table.MainFor("358")!.Region);
    }

    [Fact]
    public void Rows_are_sane()
    {
        Assert.All(Table.Regions, r =>
        {
            Assert.NotEmpty(r.InternationalPrefixes);
            Assert.NotEmpty(r.NationalLengths);
            Assert.All(r.NationalLengths, l => Assert.InRange(r.CallingCode.Length + l, 4, 15));
            Assert.True(r.Main || r.IsNanp || r.LeadingDigits.Count > 0 || r.Region is "BL" or "MF" or "PN",
                $"{r.Region} shares +{r.CallingCode} but has no leading digits");
        });
        Assert.All(Table.Regions.Where(r => r.IsNanp), r => Assert.Equal(["1"], r.TrunkPrefixes));
        Assert.Empty(Table.ByRegion("IT")!.TrunkPrefixes); // the Italian 0 is part of the number
        Assert.Equal(["8"], Table.ByRegion("RU")!.TrunkPrefixes);
    }

    [Fact]
    public void NANP_area_codes_cover_every_US_and_Canadian_zone()
    {
        var zones = Table.NanpAreaCodes.Select(a => a.TimeZone).ToHashSet();
        foreach (var zone in new[]
                 {
                     "America/New_York", "America/Chicago", "America/Denver", "America/Phoenix", "America/Los_Angeles",
                     "America/Anchorage", "Pacific/Honolulu", "America/Toronto", "America/Winnipeg", "America/Regina",
                     "America/Edmonton", "America/Vancouver", "America/Halifax", "America/St_Johns",
                 })
            Assert.Contains(zone, zones);
        // Every NANP member region has at least one area code.
        foreach (var member in Table.Regions.Where(r => r.IsNanp))
            Assert.Contains(Table.NanpAreaCodes, a => a.Region == member.Region);
        Assert.Equal(["809", "829", "849"], Table.NanpAreaCodes.Where(a => a.Region == "DO").Select(a => a.AreaCode));
        Assert.Equal(["787", "939"], Table.NanpAreaCodes.Where(a => a.Region == "PR").Select(a => a.AreaCode));
    }

    private const string Header = "region,calling_code,trunk_prefix,international_prefix,national_lengths,time_zone,main,leading_digits\n";
    private const string NanpHeader = "area_code,region,time_zone\n";

    [Theory]
    [InlineData("DE,49,0,00,6|7,Europe/Berlin,1,\nXX,4x,0,00,9,Europe/Nowhere,1,\n", "line 3")]
    [InlineData("DE,49,0,00,6|7,Europe/Berlin,1,\nDE,49,0,00,6|7,Europe/Berlin,0,\n", "line 3")]
    [InlineData("DE,49,0,00,6|7,Europe/Berlin,1,\nAT,43,0,00,,Europe/Vienna,1,\n", "line 3")]
    [InlineData("DE,49,0,00,6|7,Berlin,1,\n", "line 2")]
    [InlineData("DE,49,0,00,6|7,Europe/Berlin,yes,\n", "line 2")]
    [InlineData("DE,49,0,00,6|7,Europe/Berlin,1\n", "line 2")]
    [InlineData("DE,49,0,,6|7,Europe/Berlin,1,\n", "line 2")]
    [InlineData("DE,49,0,00,6|7,Europe/Berlin,1,\nAT,49,0,00,9,Europe/Vienna,1,\n", "49 has 2 main")]
    [InlineData("DE,49,0,00,6|7,Europe/Berlin,1,\nAT,4,0,00,9,Europe/Vienna,1,\n", "prefix")]
    public void A_bad_row_is_an_exception_naming_the_line(string rows, string expected)
    {
        var ex = Assert.Throws<FormatException>(() => RegionTable.Load(new StringReader(Header + rows), new StringReader(NanpHeader)));
        Assert.Contains(expected, ex.Message);
    }

    [Theory]
    [InlineData("650,US,America/Los_Angeles\n150,US,America/New_York\n", "line 3")]
    [InlineData("650,US,America/Los_Angeles\n650,US,America/Los_Angeles\n", "line 3")]
    [InlineData("650,DE,Europe/Berlin\n", "line 2")]
    [InlineData("650,US,Pacific\n", "line 2")]
    public void A_bad_NANP_row_is_an_exception_naming_the_line(string rows, string expected)
    {
        const string regions = Header + "US,1,1,011,10,America/New_York,1,\nDE,49,0,00,6|7,Europe/Berlin,1,\n";
        var ex = Assert.Throws<FormatException>(() => RegionTable.Load(new StringReader(regions), new StringReader(NanpHeader + rows)));
        Assert.Contains(expected, ex.Message);
    }

    [GeneratedRegex("^[1-9][0-9]{0,2}$")]
    private static partial Regex CallingCodeRx();

    [GeneratedRegex("^[A-Z][A-Za-z]+(/[A-Z][A-Za-z0-9_+-]*)+$")]
    private static partial Regex ZoneRx();
}
