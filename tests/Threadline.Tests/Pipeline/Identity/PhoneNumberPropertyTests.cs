using System.Text;
using System.Text.RegularExpressions;
using FsCheck;
using FsCheck.Fluent;
using Threadline.Pipeline.Identity;

namespace Threadline.Tests.Pipeline.Identity;

/// <summary>Format → parse → same number, for generated valid numbers of every region in the table.</summary>
public partial class PhoneNumberPropertyTests
{
    private static readonly RegionInfo[] Regions = RegionTable.Default.Regions.ToArray();
    private static readonly Config Many = Config.QuickThrowOnFailure.WithMaxTest(1000);

    /// <summary>A region and a valid national number of it, built from a seed (so FsCheck shrinks and replays it).</summary>
    public sealed record Sample(RegionInfo Region, string Nsn, RegionInfo Other, int Seed)
    {
        public string E164 => "+" + Region.CallingCode + Nsn;
        public override string ToString() => $"{Region.Region} {E164} (other default {Other.Region}, seed {Seed})";
    }

    private static Sample Build(int regionIndex, int otherIndex, int seed)
    {
        var region = Regions[regionIndex];
        var rnd = new Random(seed);
        while (true)
        {
            var nsn = region.IsNanp ? NanpNumber(rnd) : NationalNumber(region, rnd);
            if (Plausible(region, nsn)) return new Sample(region, nsn, Regions[otherIndex], seed);
        }
    }

    private static string NanpNumber(Random rnd)
    {
        while (true)
        {
            var area = $"{rnd.Next(2, 10)}{rnd.Next(0, 10)}{rnd.Next(0, 10)}";
            if (area[1] == '1' && area[2] == '1') continue;
            return area + rnd.Next(2, 10) + rnd.Next(0, 1_000_000).ToString("D6");
        }
    }

    private static string NationalNumber(RegionInfo region, Random rnd)
    {
        var length = region.NationalLengths[rnd.Next(region.NationalLengths.Count)];
        var sb = new StringBuilder(length);
        // Regions without trunk prefix may begin with 0 (Italy); elsewhere national numbers start with 1–9.
        sb.Append(region.TrunkPrefixes.Count == 0 && rnd.Next(4) == 0 ? '0' : (char)('0' + rnd.Next(1, 10)));
        while (sb.Length < length) sb.Append((char)('0' + rnd.Next(10)));
        var nsn = sb.ToString();
        // The WhatsApp long forms need their marker digit (Mexico 1…, Argentina 9…, Brazil AA9…).
        return region.Region switch
        {
            "MX" when length == 11 => "1" + nsn[1..],
            "AR" when length == 11 => "9" + nsn[1..],
            "BR" when length == 11 => nsn[..2] + "9" + nsn[3..],
            _ => nsn,
        };
    }

    /// <summary>Real numbers never collide with their region's prefixes; generated ones must not either.</summary>
    private static bool Plausible(RegionInfo region, string nsn)
    {
        var prefixes = region.InternationalPrefixes.Append("00").ToList();
        if (prefixes.Any(p => nsn.StartsWith(p, StringComparison.Ordinal))) return false;
        if (region.TrunkPrefixes.Any(t => nsn.StartsWith(t, StringComparison.Ordinal))) return false;
        if (region.TrunkPrefixes.Any(t => prefixes.Any(p => (t + nsn).StartsWith(p, StringComparison.Ordinal)))) return false;
        return true;
    }

    private static Arbitrary<Sample> Samples =>
        (from r in Gen.Choose(0, Regions.Length - 1)
         from o in Gen.Choose(0, Regions.Length - 1)
         from seed in Gen.Choose(0, int.MaxValue)
         select Build(r, o, seed)).ToArbitrary();

    private static IEnumerable<(string Text, string? Default)> Formats(Sample s)
    {
        var cc = s.Region.CallingCode;
        var n = s.Nsn;
        var head = n[..Math.Min(3, n.Length - 1)];
        var tail = n[head.Length..];
        var mid = tail[..(tail.Length / 2)];
        var end = tail[mid.Length..];
        yield return (s.E164, null);
        yield return (s.E164, s.Other.Region);
        yield return ($"+{cc} {head} {mid} {end}", s.Region.Region);
        yield return ($"+{cc} ({head}) {mid}-{end}", s.Other.Region);
        yield return ($"+{cc}.{head}.{mid}.{end}", null);
        yield return ($"{s.Other.InternationalPrefixes[0]} {cc} {head} {mid}{end}", s.Other.Region);
        yield return ($"00{cc}{n}", "DE");
        yield return ($"011 {cc} {n}", "US");
        var trunk = s.Region.TrunkPrefixes.Count > 0 ? s.Region.TrunkPrefixes[0] : "";
        yield return ($"{trunk}{n}", s.Region.Region);
        yield return ($"{trunk} {head}-{mid}-{end}", s.Region.Region);
        yield return ($"({trunk}{head}) {mid}/{end}", s.Region.Region);
        yield return ($"{trunk}{head}.{mid}.{end}", s.Region.Region);
    }

    [Fact]
    public void Every_format_of_a_valid_number_normalises_to_the_same_E164() =>
        Check.One(Many, Prop.ForAll(Samples, s =>
        {
            foreach (var (text, region) in Formats(s))
            {
                var parsed = PhoneNumberNormaliser.Normalise(text, region);
                Assert.True(s.E164 == parsed.E164, $"{s}: '{text}' with default {region ?? "none"} gave {parsed.E164 ?? "null"} ({parsed.Reason})");
                // Valid unless the random number falls into another region's leading digits with other lengths (e.g. +47 79… is SJ).
                Assert.NotEqual(PhoneParseStatus.Unparseable, parsed.Status);
            }
        }));

    [Fact]
    public void Normalising_an_E164_result_again_is_idempotent() =>
        Check.One(Many, Prop.ForAll(Samples, s =>
        {
            var once = PhoneNumberNormaliser.Normalise(s.E164, s.Other.Region);
            var twice = PhoneNumberNormaliser.Normalise(once.E164!, s.Region.Region);
            Assert.Equal(once.E164, twice.E164);
            Assert.Equal(once.Region, twice.Region);
            Assert.Equal(once.Status, twice.Status);
        }));

    [Fact]
    public void FromWaId_of_digits_equals_Normalise_of_E164() =>
        Check.One(Many, Prop.ForAll(Samples, s =>
        {
            var fromWa = PhoneNumberNormaliser.FromWaId(s.E164[1..]);
            var typed = PhoneNumberNormaliser.Normalise(s.E164, s.Other.Region);
            Assert.Equal(typed.E164, fromWa.E164);
            Assert.Equal(typed.Region, fromWa.Region);
            Assert.Equal(typed.Status, fromWa.Status);
        }));

    [Fact]
    public void CanonicalKey_is_equal_for_all_WhatsApp_variants() =>
        Check.One(Many, Prop.ForAll(Samples, s =>
        {
            var variants = PhoneNumberNormaliser.WhatsAppVariants(s.E164);
            Assert.Equal(s.E164, variants[0]);
            var key = PhoneNumberNormaliser.CanonicalKey(s.E164);
            Assert.Contains(key, variants);
            foreach (var v in variants)
            {
                Assert.Equal(key, PhoneNumberNormaliser.CanonicalKey(v));
                Assert.Contains(s.E164, PhoneNumberNormaliser.WhatsAppVariants(v)); // symmetric
            }
        }));

    [Fact]
    public void CanonicalKey_is_equal_for_WhatsApp_variants_of_quirky_countries()
    {
        var quirky = (from cc in Gen.Elements("55", "52", "54")
                      from len in Gen.Elements(10, 11)
                      from digits in Gen.Choose(0, int.MaxValue)
                      from more in Gen.Choose(0, 99)
                      select $"+{cc}{(digits.ToString("D10") + more.ToString("D2"))[..len]}").ToArbitrary();
        Check.One(Many, Prop.ForAll(quirky, e164 =>
        {
            var key = PhoneNumberNormaliser.CanonicalKey(e164);
            foreach (var v in PhoneNumberNormaliser.WhatsAppVariants(e164))
                Assert.Equal(key, PhoneNumberNormaliser.CanonicalKey(v));
        }));
    }

    private static readonly string PhoneishAlphabet = "0123456789+-()./ #xX;ext=ABCDEFGHIJ\u00A0\u2013（）＋０１９٣\u200E'*,:" + "\uD83D\uDE00";

    private static Arbitrary<string> Phoneish =>
        Gen.Elements(PhoneishAlphabet.ToCharArray()).ListOf().Select(cs => new string(cs.ToArray())).ToArbitrary();

    private static Arbitrary<string?> DefaultRegions =>
        Gen.Elements<string?>([null, "", "ZZ", "us", .. Regions.Select(r => r.Region)]).ToArbitrary();

    [Fact]
    public void Normalise_never_throws_and_results_are_well_formed_for_arbitrary_strings()
    {
        void Check_(string? input, string? region)
        {
            var r = PhoneNumberNormaliser.Normalise(input, region);
            Assert.Equal(input ?? "", r.Original);
            Assert.False(r.Reason?.StartsWith("internal error", StringComparison.Ordinal) ?? false, r.Reason);
            if (r.Status == PhoneParseStatus.Unparseable)
            {
                Assert.Null(r.E164);
                Assert.NotNull(r.Reason);
                return;
            }
            Assert.Matches(E164Rx(), r.E164!);
            Assert.NotNull(r.Region);
            var again = PhoneNumberNormaliser.Normalise(r.E164, region);
            Assert.True(r.E164 == again.E164, $"'{input}' ({region}) → {r.E164} → {again.E164} ({again.Reason})");
        }

        Check.One(Many, Prop.ForAll(ArbMap.Default.ArbFor<string>(), DefaultRegions, (s, region) => Check_(s, region)));
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(5000), Prop.ForAll(Phoneish, DefaultRegions, (s, region) => Check_(s, region)));
    }

    [Fact]
    public void FromWaId_never_throws_for_arbitrary_strings() =>
        Check.One(Many, Prop.ForAll(ArbMap.Default.ArbFor<string>(), s =>
        {
            var r = PhoneNumberNormaliser.FromWaId(s);
            Assert.Equal(s ?? "", r.Original);
        }));

    [GeneratedRegex(@"^\+[1-9][0-9]{3,14}$")]
    private static partial Regex E164Rx();
}
