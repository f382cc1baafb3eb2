using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Threadline.Simulator;

namespace Threadline.Tests.Simulator;

public sealed class FakeGraphApiTests : IAsyncLifetime
{
    private const string Token = "test-token";
    private const string TextMessage = """{"messaging_product":"whatsapp","recipient_type":"individual","to":"4917612345678","type":"text","text":{"body":"Hallo 👋","preview_url":false}}""";
    private readonly FakeGraphApi _api = new(Token);
    private readonly HttpClient _http = new();
    private Uri _messages = null!;

    public async Task InitializeAsync()
    {
        var baseAddress = await _api.StartAsync("http://127.0.0.1:0");
        Assert.NotEqual(0, baseAddress.Port);
        _messages = new Uri(baseAddress, "/v23.0/100000000000001/messages");
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _api.DisposeAsync();
    }

    private Task<HttpResponseMessage> PostAsync(string json, string? token = Token)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, _messages) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (token is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return _http.SendAsync(request);
    }

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    [Fact]
    public async Task A_text_message_is_accepted_with_a_wamid_and_recorded()
    {
        var response = await PostAsync(TextMessage);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = await JsonAsync(response);
        Assert.Equal("whatsapp", json.GetProperty("messaging_product").GetString());
        Assert.Equal("4917612345678", json.GetProperty("contacts")[0].GetProperty("input").GetString());
        Assert.Equal("4917612345678", json.GetProperty("contacts")[0].GetProperty("wa_id").GetString());
        string id = json.GetProperty("messages")[0].GetProperty("id").GetString()!;
        Assert.StartsWith("wamid.", id);

        var recorded = Assert.Single(_api.Requests);
        Assert.Equal(("v23.0", "100000000000001", "text", id), (recorded.Version, recorded.PhoneNumberId, recorded.Type, recorded.MessageId));
        Assert.Equal(TextMessage, recorded.Body);
    }

    [Fact]
    public async Task Missing_or_wrong_token_gets_401_with_a_graph_error()
    {
        foreach (string? token in new[] { null, "wrong" })
        {
            var response = await PostAsync(TextMessage, token);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            var error = (await JsonAsync(response)).GetProperty("error");
            Assert.Equal(190, error.GetProperty("code").GetInt32());
            Assert.Equal("OAuthException", error.GetProperty("type").GetString());
        }
        Assert.Equal(0, _api.RequestCount);
    }

    [Fact]
    public async Task Injected_throttling_answers_429_with_130429_then_recovers()
    {
        _api.InjectFault(FakeGraphFault.Throttled(), times: 2);
        for (int i = 0; i < 2; i++)
        {
            var throttled = await PostAsync(TextMessage);
            Assert.Equal((HttpStatusCode)429, throttled.StatusCode);
            var error = (await JsonAsync(throttled)).GetProperty("error");
            Assert.Equal(130429, error.GetProperty("code").GetInt32());
            Assert.StartsWith("(#130429)", error.GetProperty("message").GetString());
            Assert.Equal("whatsapp", error.GetProperty("error_data").GetProperty("messaging_product").GetString());
            Assert.False(string.IsNullOrEmpty(error.GetProperty("fbtrace_id").GetString()));
        }
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(TextMessage)).StatusCode);
        Assert.Equal(1, _api.RequestCount);
    }

    [Theory]
    [InlineData(131047, 400)]
    [InlineData(131026, 400)]
    [InlineData(131000, 500)]
    public async Task Injected_graph_errors_carry_their_code(int code, int httpStatus)
    {
        _api.InjectFault(code == 131000 ? FakeGraphFault.ServerError() : FakeGraphFault.GraphError(code));
        var response = await PostAsync(TextMessage);
        Assert.Equal(httpStatus, (int)response.StatusCode);
        Assert.Equal(code, (await JsonAsync(response)).GetProperty("error").GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task A_delayed_answer_times_out_the_client_but_the_send_is_recorded()
    {
        // Generous margins: on a loaded 2-core machine a 200 ms client timeout could fire before the request even arrived.
        _api.InjectFault(FakeGraphFault.Timeout(TimeSpan.FromSeconds(60)));
        using var impatient = new HttpClient { Timeout = TimeSpan.FromMilliseconds(1500) };
        var request = new HttpRequestMessage(HttpMethod.Post, _messages) { Content = new StringContent(TextMessage, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        await Assert.ThrowsAnyAsync<TaskCanceledException>(() => impatient.SendAsync(request));
        for (int i = 0; i < 500 && _api.RequestCount == 0; i++)
            await Task.Delay(20); // the server notices the abort asynchronously
        Assert.Equal(1, _api.RequestCount);
    }

    [Fact]
    public async Task Mark_as_read_answers_success_true()
    {
        var response = await PostAsync("""{"messaging_product":"whatsapp","status":"read","message_id":"wamid.ABC"}""");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True((await JsonAsync(response)).GetProperty("success").GetBoolean());
        var recorded = Assert.Single(_api.Requests);
        Assert.True(recorded.IsMarkAsRead);
        Assert.Equal("wamid.ABC", recorded.MessageId);
    }

    [Theory]
    [InlineData("""{"messaging_product":"sms","to":"1555","type":"text","text":{"body":"x"}}""")]
    [InlineData("""{"messaging_product":"whatsapp","type":"text","text":{"body":"x"}}""")]
    [InlineData("""{"messaging_product":"whatsapp","to":"1555","text":{"body":"x"}}""")]
    [InlineData("""not json""")]
    public async Task Invalid_sends_are_rejected_with_400_and_not_recorded(string body)
    {
        var response = await PostAsync(body);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await JsonAsync(response)).GetProperty("error").TryGetProperty("code", out _));
        Assert.Equal(0, _api.RequestCount);
    }

    [Fact]
    public async Task A_bsuid_recipient_and_a_template_are_accepted()
    {
        var response = await PostAsync("""{"messaging_product":"whatsapp","recipient":"DE.1234567890123456789","type":"template","template":{"name":"order_update","language":{"code":"de"}}}""");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = await JsonAsync(response);
        Assert.Equal("DE.1234567890123456789", json.GetProperty("contacts")[0].GetProperty("user_id").GetString());
        Assert.Equal("accepted", json.GetProperty("messages")[0].GetProperty("message_status").GetString());
    }

    [Fact]
    public async Task Faults_can_be_injected_over_http()
    {
        var control = new Uri(_api.BaseAddress!, "/_fake/faults?kind=error&code=131047&count=1");
        Assert.Equal(HttpStatusCode.OK, (await _http.PostAsync(control, null)).StatusCode);
        var response = await PostAsync(TextMessage);
        Assert.Equal(131047, (await JsonAsync(response)).GetProperty("error").GetProperty("code").GetInt32());
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(TextMessage)).StatusCode);
        string count = await _http.GetStringAsync(new Uri(_api.BaseAddress!, "/_fake/requests"));
        Assert.Equal("""{"count":1}""", count);
    }
}
