using System.CommandLine;
namespace Threadline.Simulator;
public static class SimulateCommand { public static Command Create() => new("simulate"); }
public static class FakeGraphCommand { public static Command Create() => new("fake-graph"); }
