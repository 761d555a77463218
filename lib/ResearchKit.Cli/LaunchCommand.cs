using System.CommandLine;
using ResearchKit.Pipeline;
using ResearchKit.Tokenization;

namespace ResearchKit.Cli;

/// <summary><c>rk launch slurm|k8s --shards n -- &lt;stage command&gt;</c>: prints the scheduler script for a sharded stage.</summary>
static class LaunchCommand
{
    public static Command Create()
    {
        var cmd = new Command("launch", "Print (never submit) a Slurm job-array script or a Kubernetes Indexed Job for a sharded stage, with its merge step");
        cmd.Subcommands.Add(Scheduler("slurm", "a bash script that sbatch-es a job array (task i: --shard i/n) and an afterok merge job", LaunchScripts.Slurm));
        cmd.Subcommands.Add(Scheduler("k8s", "an Indexed Job (pod i: --shard $JOB_COMPLETION_INDEX/n) and a merge Job, as one manifest", LaunchScripts.Kubernetes));
        return cmd;
    }

    static Command Scheduler(string name, string description, Func<LaunchSpec, string> render)
    {
        var stage = new Argument<string[]>("command") { Description = "the rk stage to shard, without --shard (e.g. tokenize corpus/ --out tokens)", Arity = ArgumentArity.OneOrMore };
        var shards = new Option<int>("--shards") { Description = "number of shards (array tasks)", Required = true };
        var parallel = new Option<int?>("--parallel") { Description = "at most this many tasks at once" };
        var rk = new Option<string>("--rk") { Description = "how the cluster invokes rk", DefaultValueFactory = _ => "rk" };
        var jobName = new Option<string?>("--name") { Description = "job name (default: rk-<stage>)" };
        var cpus = new Option<int>("--cpus") { Description = "CPUs per task", DefaultValueFactory = _ => 4 };
        var memory = new Option<int>("--mem-gb") { Description = "memory per task, GB", DefaultValueFactory = _ => 16 };
        var cmd = new Command(name, description) { stage, shards, parallel, rk, jobName, cpus, memory };
        Option<string>? time = null, image = null, claim = null, mount = null;
        Option<string?>? partition = null;
        if (name == "slurm")
        {
            time = new Option<string>("--time") { Description = "time limit per task", DefaultValueFactory = _ => "24:00:00" };
            partition = new Option<string?>("--partition") { Description = "Slurm partition" };
            cmd.Options.Add(time); cmd.Options.Add(partition);
        }
        else
        {
            image = new Option<string>("--image") { Description = "container image with rk on its PATH", DefaultValueFactory = _ => "researchkit:latest" };
            claim = new Option<string>("--claim") { Description = "PersistentVolumeClaim (ReadWriteMany) holding inputs and outputs", DefaultValueFactory = _ => "researchkit-data" };
            mount = new Option<string>("--mount") { Description = "where the claim is mounted; the working directory", DefaultValueFactory = _ => "/data" };
            cmd.Options.Add(image); cmd.Options.Add(claim); cmd.Options.Add(mount);
        }
        cmd.TreatUnmatchedTokensAsErrors = true;
        cmd.SetAction(p =>
        {
            var spec = new LaunchSpec(p.GetValue(stage)!, p.GetValue(shards), p.GetValue(rk)!, null, p.GetValue(parallel), p.GetValue(jobName),
                                      p.GetValue(cpus), p.GetValue(memory));
            if (time is not null) spec = spec with { Time = p.GetValue(time)!, Partition = p.GetValue(partition!) };
            if (image is not null) spec = spec with { Image = p.GetValue(image)!, VolumeClaim = p.GetValue(claim!)!, MountPath = p.GetValue(mount!)! };
            // Shards already complete from an earlier launch are left out of a Slurm array (a pod would skip them anyway).
            if (name == "slurm") spec = spec with { Indices = UnfinishedShards(spec) };
            Console.Out.Write(render(spec));
            return 0;
        });
        return cmd;
    }

    static IReadOnlyList<int>? UnfinishedShards(LaunchSpec spec)
    {
        foreach (var directory in new[] { CorpusShards.DirectoryOf(spec.Output), TokenShards.DirectoryOf(spec.Output) })
            if (directory.ReadManifest() is { } manifest && manifest.Count == spec.Shards)
                return directory.Unfinished(spec.Shards);
        return null;
    }
}
