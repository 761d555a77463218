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
        var threads = new Option<int?>("--threads") { Description = $"intra-op CPU threads (default: {ThreadPolicy.ThreadsVariable}, else physical cores)" };
        var wait = new Option<string?>("--omp-wait") { Description = $"OpenMP wait policy: passive or active (default: {ThreadPolicy.WaitPolicyVariable}, else passive)" };
        var cmd = new Command("env", "Initialise libtorch and show the device, libtorch location, native-library patching and CPU threads") { device, libtorch, threads, wait };
        cmd.SetAction(parse =>
        {
            ThreadPolicy.Configure(parse.GetValue(threads), parse.GetValue(wait));
            var info = TorchRuntime.Initialize(parse.GetValue(device)!, parse.GetValue(libtorch));
            var policy = ThreadPolicy.Current!;
            var table = new Table().AddColumns("", "");
            table.AddRow("device", info.Device);
            table.AddRow("CUDA available", info.CudaAvailable.ToString());
            table.AddRow("libtorch", Markup.Escape(info.LibTorchDirectory));
            table.AddRow("TorchSharp bridge", Markup.Escape(info.Bridge));
            table.AddRow("weakened requirements", info.WeakenedVersions.Count == 0 ? "none" : string.Join(", ", info.WeakenedVersions));
            table.AddRow("torch threads", $"{TorchSharp.torch.get_num_threads()} intra-op ({policy.ThreadsFrom}; {policy.PhysicalCores} physical cores), {TorchSharp.torch.get_num_interop_threads()} inter-op");
            table.AddRow("OpenMP wait policy", $"{policy.OmpWaitPolicy} ({policy.WaitPolicyFrom})");
            table.AddRow("benchmark fields", policy.Line);
            AnsiConsole.Write(table);
            return 0;
        });
        return cmd;
    }
}
