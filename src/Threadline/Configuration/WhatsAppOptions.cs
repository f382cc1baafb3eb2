using System.ComponentModel.DataAnnotations;

namespace Threadline.Configuration;

/// <summary>The WhatsApp Business Cloud API settings (section <c>WhatsApp</c>; env vars <c>WhatsApp__AppSecret</c> …).</summary>
public sealed class WhatsAppOptions
{
    public const string Section = "WhatsApp";

    /// <summary>The Meta app secret that signs webhooks (<c>X-Hub-Signature-256</c>). Required: without it no webhook can be trusted.</summary>
    [Required(AllowEmptyStrings = false, ErrorMessage =
        "WhatsApp:AppSecret is missing. Threadline cannot verify webhook signatures without it. " +
        "Set it in appsettings.json, as the environment variable WhatsApp__AppSecret, or with --WhatsApp:AppSecret=<secret>.")]
    public string? AppSecret { get; set; }

    /// <summary>The token Meta echoes in the verification handshake (<c>hub.verify_token</c>).</summary>
    public string? VerifyToken { get; set; }

    /// <summary>Bearer token for the Graph API (sending, media).</summary>
    public string? AccessToken { get; set; }

    /// <summary>The business phone number's id, used in send URLs.</summary>
    public string? PhoneNumberId { get; set; }

    /// <summary>Base URL of the Graph API including its version.</summary>
    /// <value>The default value is <c>https://graph.facebook.com/v23.0</c>.</value>
    [Url]
    public string GraphApiBaseUrl { get; set; } = "https://graph.facebook.com/v23.0";

    /// <summary>Largest webhook body accepted; larger ones get 413.</summary>
    /// <value>The default value is 1 MiB.</value>
    [Range(1024, 64 * 1024 * 1024)]
    public int MaxWebhookBodyBytes { get; set; } = 1024 * 1024;
}
