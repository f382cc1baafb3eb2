using System.CommandLine;
using Threadline.Simulator;

namespace Threadline.Tests.Simulator;

public sealed class SimulateCommandTests
{
    [Fact]
    public void Options_have_the_documented_defaults()
    {
        var command = SimulateCommand.Create();
        Assert.Equal("simulate", command.Name);
        var parsed = command.Parse([]);
        Assert.Empty(parsed.Errors);
        T Value<T>(string name) => parsed.GetValue<T>(name)!;
        Assert.Equal(new Uri("http://127.0.0.1:5080"), Value<Uri>("--target"));
        Assert.Equal(50, Value<double>("--rate"));
        Assert.Equal(1000, Value<int>("--count"));
        Assert.Equal(50, Value<int>("--senders"));
    }

    [Fact]
    public async Task Simulate_sends_count_webhooks_to_the_target()
    {
        await using var server = await RecordingWebhookServer.StartAsync("cmd-secret");
        var root = new RootCommand { SimulateCommand.Create() };
        int exit = await root.Parse(["simulate", "--target", server.BaseAddress.ToString(), "--count", "25", "--rate", "0",
            "--secret", "cmd-secret", "--senders", "5", "--seed", "3"]).InvokeAsync();
        Assert.Equal(0, exit);
        Assert.Equal(25, server.RequestCount);
        Assert.Equal(0, server.BadSignatures);
    }

    [Fact]
    public void A_target_that_is_not_a_url_is_a_parse_error()
    {
        Assert.NotEmpty(SimulateCommand.Create().Parse(["--target", "not a url"]).Errors);
        Assert.NotEmpty(SimulateCommand.Create().Parse(["--target", "ftp://x"]).Errors);
    }

    [Fact]
    public void Fake_graph_command_has_urls_and_token_options()
    {
        var command = FakeGraphCommand.Create();
        Assert.Equal("fake-graph", command.Name);
        var parsed = command.Parse(["--token", "t"]);
        Assert.Empty(parsed.Errors);
        Assert.Equal("http://127.0.0.1:5090", parsed.GetValue<string>("--urls"));
        Assert.Equal("t", parsed.GetValue<string>("--token"));
    }
}
