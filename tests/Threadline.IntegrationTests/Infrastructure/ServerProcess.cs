using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using Threadline.Store;
using Threadline.WhatsApp.Webhooks;

namespace Threadline.IntegrationTests.Infrastructure;

/// <summary>The real executable (<c>dotnet threadline.dll serve</c>) as a separate process that can be SIGKILLed.</summary>
/// <param name="environment">Further settings as environment variables (<c>Outbox__RatePerSecond</c>).</param>
public sealed class ServerProcess(int port, IReadOnlyDictionary<string, string?> storage, string workingDirectory,
    IReadOnlyDictionary<string, string>? environment = null)
{
    private Process? _process;

    public static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public Uri BaseAddress => new($"http://127.0.0.1:{port}");

    public async Task StartAsync()
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "threadline.dll"));
        start.ArgumentList.Add("serve");
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add($"http://127.0.0.1:{port}");
        start.Environment["WhatsApp__AppSecret"] = ThreadlineHost.AppSecret;
        start.Environment["Auth__BootstrapAdminKey"] = ThreadlineHost.AdminKey;
        start.Environment["Storage__Provider"] = storage["Storage:Provider"];
        start.Environment["Storage__ConnectionString"] = storage["Storage:ConnectionString"];
        start.Environment["Inbox__PollIntervalMs"] = "50";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) start.Environment[key] = value;
        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited) throw new InvalidOperationException($"threadline serve exited with {_process.ExitCode}");
            try
            {
                if ((await probe.GetAsync($"http://127.0.0.1:{port}/healthz")).IsSuccessStatusCode) return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(50);
        }
        throw new TimeoutException("threadline serve did not become healthy");
    }

    /// <summary>The store the process runs on, opened from this side (to count what it wrote).</summary>
    public Database Store() => new(new StorageOptions { Provider = storage["Storage:Provider"]!, ConnectionString = storage["Storage:ConnectionString"] });

    /// <summary>
    /// Posts a correctly signed webhook as WhatsApp does; true when it was acknowledged (200). A server that is down or
    /// being killed (refused, timed out) or answers anything else is false: the caller retries, as WhatsApp would.
    /// </summary>
    public static async Task<bool> TryPostWebhookAsync(HttpClient http, byte[] body)
    {
        try
        {
            var content = new ByteArrayContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/whatsapp") { Content = content };
            request.Headers.TryAddWithoutValidation(WebhookSignature.HeaderName, WebhookSignature.Sign(body, ThreadlineHost.AppSecret));
            using var response = await http.SendAsync(request);
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (HttpRequestException) { return false; }
        catch (TaskCanceledException) { return false; }
    }

    /// <summary>SIGKILL: no shutdown hooks, no draining, exactly like a power cut for the process.</summary>
    public void Kill()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
    }
}
