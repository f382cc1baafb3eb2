using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Threadline.Configuration;

namespace Threadline.Http;

/// <summary>
/// <c>Authorization: Bearer &lt;key&gt;</c> for the REST API. For now the bootstrap admin key (<c>Auth:BootstrapAdminKey</c>)
/// is the only key; compared in constant time. Keys are secrets: never logged.
/// </summary>
public sealed class ApiKeyAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> schemeOptions, ILoggerFactory logger, UrlEncoder encoder, IOptionsMonitor<AuthOptions> auth)
    : AuthenticationHandler<AuthenticationSchemeOptions>(schemeOptions, logger, encoder)
{
    public const string SchemeName = "Bearer";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header) || !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return Task.FromResult(AuthenticateResult.NoResult());
        string presented = header["Bearer ".Length..].Trim();
        string? admin = auth.CurrentValue.BootstrapAdminKey;
        if (string.IsNullOrEmpty(admin) ||
            !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), Encoding.UTF8.GetBytes(admin)))
            return Task.FromResult(AuthenticateResult.Fail("Unknown API key."));
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, "bootstrap-admin"), new Claim(ClaimTypes.Role, "admin")], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        await Results.Problem(statusCode: 401, title: "Unauthorized",
            detail: "Send 'Authorization: Bearer <key>' with a valid API key (Auth:BootstrapAdminKey works).").ExecuteAsync(Context);
    }
}
