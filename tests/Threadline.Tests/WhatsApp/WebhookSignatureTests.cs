using FsCheck;
using FsCheck.Fluent;
using Threadline.WhatsApp.Webhooks;

namespace Threadline.Tests.WhatsApp;

public class WebhookSignatureTests
{
    private const string Secret = "app-secret-123";
    private static readonly byte[] Body = """{"object":"whatsapp_business_account","entry":[]}"""u8.ToArray();

    [Fact]
    public void Signature_is_sha256_prefix_and_64_lowercase_hex()
    {
        string header = WebhookSignature.Sign(Body, Secret);
        Assert.Matches("^sha256=[0-9a-f]{64}$", header);
    }

    [Fact]
    public void Known_vector_matches_hmac_sha256()
    {
        // HMAC-SHA256(key="key", "The quick brown fox jumps over the lazy dog"), a published test vector.
        Assert.Equal("sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8",
            WebhookSignature.Sign("The quick brown fox jumps over the lazy dog"u8, "key"));
    }

    [Fact]
    public void Valid_signature_is_accepted() =>
        Assert.True(WebhookSignature.IsValid(Body, WebhookSignature.Sign(Body, Secret), Secret));

    [Fact]
    public void Signature_made_with_another_secret_is_rejected() =>
        Assert.False(WebhookSignature.IsValid(Body, WebhookSignature.Sign(Body, "other-secret"), Secret));

    [Fact]
    public void Signature_of_another_body_is_rejected() =>
        Assert.False(WebhookSignature.IsValid(Body, WebhookSignature.Sign([.. Body, (byte)' '], Secret), Secret));

    [Fact]
    public void Missing_prefix_is_rejected()
    {
        string hex = WebhookSignature.Sign(Body, Secret)["sha256=".Length..];
        Assert.False(WebhookSignature.IsValid(Body, hex, Secret));
        Assert.False(WebhookSignature.IsValid(Body, "sha1=" + hex, Secret));
        Assert.False(WebhookSignature.IsValid(Body, "SHA256=" + hex, Secret));
    }

    [Fact]
    public void Wrong_length_is_rejected()
    {
        string header = WebhookSignature.Sign(Body, Secret);
        Assert.False(WebhookSignature.IsValid(Body, header[..^1], Secret));
        Assert.False(WebhookSignature.IsValid(Body, header + "0", Secret));
        Assert.False(WebhookSignature.IsValid(Body, "sha256=", Secret));
        Assert.False(WebhookSignature.IsValid(Body, "", Secret));
    }

    [Fact]
    public void Null_header_is_rejected() => Assert.False(WebhookSignature.IsValid(Body, null, Secret));

    [Fact]
    public void Non_hex_characters_are_rejected()
    {
        string header = WebhookSignature.Sign(Body, Secret);
        Assert.False(WebhookSignature.IsValid(Body, header[..^1] + "g", Secret));
        Assert.False(WebhookSignature.IsValid(Body, header[..^1] + " ", Secret));
    }

    /// <summary>Every position, replaced by an uppercase hex digit of another value: each such one-character tamper is caught.</summary>
    [Fact]
    public void Any_one_character_tamper_with_uppercase_hex_is_rejected()
    {
        string header = WebhookSignature.Sign(Body, Secret);
        for (int i = "sha256=".Length; i < header.Length; i++)
        {
            int nibble = Convert.ToInt32(header[i].ToString(), 16);
            char replacement = "0123456789ABCDEF"[(nibble + 7) % 16];
            string tampered = header[..i] + replacement + header[(i + 1)..];
            Assert.False(WebhookSignature.IsValid(Body, tampered, Secret), $"accepted a tamper at {i}");
        }
    }

    /// <summary>Hex case is not part of the MAC: the same bytes written in uppercase decode to the same digest and pass.
    /// (Meta sends lowercase; this pins the current, lenient-on-case behaviour.)</summary>
    [Fact]
    public void Uppercase_spelling_of_the_correct_digest_decodes_to_the_same_mac()
    {
        string header = WebhookSignature.Sign(Body, Secret);
        Assert.True(WebhookSignature.IsValid(Body, "sha256=" + header["sha256=".Length..].ToUpperInvariant(), Secret));
    }

    [Fact]
    public void Sign_then_is_valid_for_arbitrary_bodies_and_secrets() =>
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(300), Prop.ForAll(
            ArbMap.Default.ArbFor<byte[]>(), ArbMap.Default.ArbFor<NonNull<string>>(),
            (body, secret) => WebhookSignature.IsValid(body, WebhookSignature.Sign(body, secret.Get), secret.Get)
                && !WebhookSignature.IsValid([.. body, 0x20], WebhookSignature.Sign(body, secret.Get), secret.Get)));
}
