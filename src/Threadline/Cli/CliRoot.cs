using System.CommandLine;

namespace Threadline.Cli;

/// <summary>The <c>threadline</c> command and its verbs, one file each.</summary>
public static class CliRoot
{
    public static RootCommand Create()
    {
        var root = new RootCommand("Threadline: WhatsApp CRM automation engine. Every inbound message captured, answered and recorded.");
        root.Subcommands.Add(ServeCommand.Create());
        root.Subcommands.Add(DemoCommand.Create());
        root.Subcommands.Add(MigrateCommand.Create());
        root.Subcommands.Add(InboxCommand.Create());
        root.Subcommands.Add(ContactsTransferCommands.Import());
        root.Subcommands.Add(ContactsTransferCommands.Export());
        root.Subcommands.Add(Simulator.SimulateCommand.Create());
        root.Subcommands.Add(Simulator.FakeGraphCommand.Create());
        root.Subcommands.Add(ReplayCommand.Create());
        root.Subcommands.Add(RulesCommand.Create());
        root.Subcommands.Add(BenchCommand.Create());
        return root;
    }
}
