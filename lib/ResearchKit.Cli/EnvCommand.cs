using System.CommandLine;
using ResearchKit.Runtime;
using Spectre.Console;

namespace ResearchKit.Cli;

/// <summary><c>rk env</c>: initialises libtorch and says where it came from and which device is used.</summary>
static class EnvCommand
{
    public static Command Create()
    {
        var device = new Option<string>("--device") { Description = "cpu, cuda, cuda:N or auto", DefaultValueFactory = _ => "auto" };
        var libtorch = new Option<string?>("--libtorch") { Description = "directory with libtorch.so, or 'python' for PyTorch's" };
        var cmd = new Command("env", "Initialise libtorch and show the device, libtorch location and native-library patching") { device, libtorch };
        cmd.SetAction(parse =>
        {
            var info = TorchRuntime.Initialize(parse.GetValue(device)!, parse.GetValue(libtorch));
            var table = new Table().AddColumns("", "");
            table.AddRow("device", info.Device);
            table.AddRow("CUDA available", info.CudaAvailable.ToString());
            table.AddRow("libtorch", Markup.Escape(info.LibTorchDirectory));
            table.AddRow("TorchSharp bridge", Markup.Escape(info.Bridge));
            table.AddRow("weakened requirements", info.WeakenedVersions.Count == 0 ? "none" : string.Join(", ", info.WeakenedVersions));
            table.AddRow("torch threads", TorchSharp.torch.get_num_threads().ToString());
            AnsiConsole.Write(table);
            return 0;
        });
        return cmd;
    }
}
