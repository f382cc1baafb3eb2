using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Threadline.WhatsApp.Webhooks;

namespace Threadline.Tests.WhatsApp;

/// <summary>Properties: the parser never throws, whatever arrives, and text survives the trip through JSON escaping.</summary>
public class WebhookParserPropertyTests
{
    private static readonly Config Many = Config.QuickThrowOnFailure.WithMaxTest(500);

    /// <summary>Exactly one of Batch and Error is set: a result is always one or the other.</summary>
    private static bool WellFormed(WebhookParseResult r) => r.IsSuccess ^ r.Error is not null;

    [Fact]
    public void Never_throws_on_arbitrary_bytes() =>
        Check.One(Many, Prop.ForAll(ArbMap.Default.ArbFor<byte[]>(), bytes => WellFormed(WebhookParser.Parse(bytes))));

    [Fact]
    public void Never_throws_on_arbitrary_strings() =>
        Check.One(Many, Prop.ForAll(ArbMap.Default.ArbFor<string>(), s => WellFormed(WebhookParser.Parse(Encoding.UTF8.GetBytes(s ?? "")))));

    /// <summary>Near-misses are the interesting inputs: real bodies cut short or with one byte changed.</summary>
    [Fact]
    public void Never_throws_on_corrupted_corpus_bodies()
    {
        string[] names = PywaCorpus.CaseNames().Select(row => (string)row[0]).ToArray();
        Gen<(byte[] Body, int Cut, int Pos, byte Value)> corrupted =
            from name in Gen.Elements(names)
            let body = PywaCorpus.Body(name)
            from cut in Gen.Choose(0, body.Length)
            from pos in Gen.Choose(0, body.Length - 1)
            from value in Gen.Elements<byte>((byte)'"', (byte)'{', (byte)'}', (byte)'[', (byte)']', (byte)',', (byte)':', (byte)'1', (byte)'\\', 0xFF, 0x00)
            select (body, cut, pos, value);

        Check.One(Many, Prop.ForAll(corrupted.ToArbitrary(), c =>
        {
            byte[] changed = (byte[])c.Body.Clone();
            changed[c.Pos] = c.Value;
            return WellFormed(WebhookParser.Parse(c.Body.AsSpan(0, c.Cut))) && WellFormed(WebhookParser.Parse(changed));
        }));
    }

    /// <summary>Any Unicode text: ASCII, controls, quotes and backslashes, BMP letters (RTL, CJK, combining marks) and
    /// astral characters such as emoji, as well-formed UTF-16 (JSON cannot carry lone surrogates as UTF-8).</summary>
    private static Gen<string> UnicodeText()
    {
        Gen<int> codePoint = Gen.OneOf(
            Gen.Choose(0x20, 0x7E),
            Gen.Choose(0x00, 0x1F),
            Gen.Elements('"', '\\', '/', '<', '>', '&', '\'').Select(c => (int)c),
            Gen.Choose(0x80, 0xD7FF),
            Gen.Choose(0xE000, 0xFFFD),
            Gen.Choose(0x10000, 0x10FFFF));
        Gen<string> fromCodePoints = codePoint.ListOf().Select(cps => string.Concat(cps.Select(char.ConvertFromUtf32)));
        Gen<string> fromFsCheck = ArbMap.Default.GeneratorFor<string>()
            .Where(s => s is not null && !HasLoneSurrogate(s));
        return Gen.OneOf(fromCodePoints, fromFsCheck);
    }

    private static bool HasLoneSurrogate(string s)
    {
        for (int i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])) { i++; continue; }
            if (char.IsSurrogate(s[i])) return true;
        }
        return false;
    }

    [Fact]
    public void Text_message_round_trips_text_id_and_timestamp()
    {
        Gen<(string Text, string Id, long Seconds, bool AsNumber)> cases =
            from text in UnicodeText()
            from id in UnicodeText().Where(s => s.Length > 0)
            from seconds in Gen.Choose(0, int.MaxValue).Select(i => (long)i * 2) // up to year 2106
            from asNumber in ArbMap.Default.GeneratorFor<bool>()
            select (text, id, seconds, asNumber);

        Check.One(Many, Prop.ForAll(cases.ToArbitrary(), c =>
        {
            WebhookParseResult r = WebhookParser.Parse(WebhookBodies.TextMessage(c.Id, c.Text, c.Seconds, c.AsNumber));
            var m = r.Batch?.Messages.SingleOrDefault();
            return m is not null
                && m.Text == c.Text
                && m.WaMessageId == c.Id
                && m.Timestamp == DateTimeOffset.FromUnixTimeSeconds(c.Seconds)
                && r.Batch!.Events.Count == 0;
        }));
    }
}
