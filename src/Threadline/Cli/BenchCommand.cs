using System.CommandLine;

namespace Threadline.Cli;

public static class BenchCommand
{
    public static Command Create() => new("bench", "Benchmarks.");
}
