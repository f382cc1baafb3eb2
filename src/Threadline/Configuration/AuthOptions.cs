namespace Threadline.Configuration;

/// <summary>API authentication (section <c>Auth</c>).</summary>
public sealed class AuthOptions
{
    public const string Section = "Auth";

    /// <summary>A key that works as <c>Authorization: Bearer &lt;key&gt;</c> with full rights, for the first set-up.
    /// Without it (and without other keys) the API answers 401 to everyone.</summary>
    public string? BootstrapAdminKey { get; set; }
}
