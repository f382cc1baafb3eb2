using System.CommandLine;

namespace Threadline.Cli;

public static class DemoCommand
{
    public static Command Create() => new("demo", "Run the server on SQLite with simulated WhatsApp traffic and a live view.");
}
