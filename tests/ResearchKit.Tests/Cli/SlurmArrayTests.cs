using System.Diagnostics;
using System.Text.RegularExpressions;
using ResearchKit.Corpus;
using ResearchKit.Pipeline;
using ResearchKit.Tests.Corpus;
using ResearchKit.Tokenization;

namespace ResearchKit.Tests.Cli;

/// <summary>
/// The script `rk launch slurm` prints, submitted to a real single-node Slurm (slurmctld, slurmd and munged
/// started here on localhost, on ports and sockets of their own): a 4-task array of `rk tokenize --shard`, then the
/// afterok merge job; the merged tokens must equal one process's bytes. Needs root and Debian's slurm-wlm and munge
/// (.ci/install.sh installs them where it can); skipped, with the reason, where either is missing.
/// </summary>
public sealed class SlurmArrayTests
{
    [SkippableFact]
    public void ARealSlurmArrayTokenizesFourShardsAndMergesThemToTheSingleProcessBytes()
    {
        Skip.IfNot(Environment.UserName == "root" || geteuid() == 0, "the Slurm array test runs slurmd and munged, which needs root");
        var missing = new[] { "/usr/sbin/slurmctld", "/usr/sbin/slurmd", "/usr/sbin/munged", "/usr/bin/sbatch", "/usr/bin/squeue", "/usr/bin/sinfo", "/usr/bin/munge" }
            .Where(p => !File.Exists(p)).ToList();
        Skip.If(missing.Count > 0, $"Slurm is not installed here (missing {string.Join(", ", missing)}); .ci/install.sh installs slurm-wlm and munge on Debian");
        Skip.IfNot(File.Exists("/etc/munge/munge.key"), "no munge key (/etc/munge/munge.key); .ci/install.sh creates one");

        using var dir = new TempDir();
        using var cluster = LocalSlurm.Start(dir.Path);
        Skip.If(cluster.Problem is not null, $"a local Slurm could not be started: {cluster.Problem}");

        var work = dir["work"];
        Directory.CreateDirectory(work);
        CorpusWriter.Write(Path.Combine(work, "corpus.jsonl"),
            CorpusSample.Take(CorpusReader.Read(Path.Combine(TestCorpus.RepoRoot, "data-samples", "sample.parquet")), 240, seed: 2));
        var script = LaunchScripts.Slurm(new LaunchSpec(["tokenize", "corpus.jsonl", "--out", "tokens", "--tokenizer", "bytes", "--unit-mb", "0.1"], 4,
                                                        Rk: Rk.Invocation, Cpus: 1, MemoryGb: 1, Time: "00:10:00"));
        File.WriteAllText(Path.Combine(work, "submit.sh"), script);

        var (code, submitted) = Rk.Shell("bash submit.sh", work, cluster.Environment);
        Assert.True(code == 0, $"{submitted}\n{cluster.Logs()}");
        var ids = Regex.Match(submitted, @"job array (\d+); merge: job (\d+)");
        Assert.True(ids.Success, submitted);
        var jobs = $"{ids.Groups[1].Value},{ids.Groups[2].Value}";

        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(90))
        {
            var (_, queue) = Rk.Shell($"squeue -h -j {jobs} -o %i", work, cluster.Environment);
            if (queue.Trim().Length == 0) break;
            Thread.Sleep(250);
        }
        var logs = string.Join("\n", Directory.GetFiles(Path.Combine(work, "logs")).Order().Select(f => $"== {Path.GetFileName(f)}\n{File.ReadAllText(f)}"));
        var merged = Path.Combine(work, "tokens", TokenShards.FileName);
        Assert.True(File.Exists(merged), $"no merged tokens after {clock.Elapsed.TotalSeconds:F0} s\n{logs}\n{cluster.Logs()}");
        Assert.Equal(4, Regex.Matches(logs, @"shard \d/4: \d+ documents").Count);
        Assert.Equal(4, TokenShards.DirectoryOf(Path.Combine(work, "tokens")).Completed(4).Count);

        TokenShard.Tokenize(CorpusReader.Read(Path.Combine(work, "corpus.jsonl")), ByteTokenizer.Instance, dir["single.rkt"]);
        Assert.Equal(File.ReadAllBytes(dir["single.rkt"]), File.ReadAllBytes(merged));
    }

    [System.Runtime.InteropServices.DllImport("libc")]
    static extern uint geteuid();
}

/// <summary>munged, slurmctld and slurmd for one test, each with its own pid file under a temporary directory,
/// private sockets and ports; stopped by those pid files on dispose.</summary>
sealed class LocalSlurm : IDisposable
{
    readonly string _root;
    public string? Problem { get; private set; }
    public Dictionary<string, string> Environment { get; } = [];

    LocalSlurm(string root) => _root = root;

    string Conf => Path.Combine(_root, "slurm.conf");
    string[] PidFiles => [Path.Combine(_root, "slurmd.pid"), Path.Combine(_root, "slurmctld.pid"), Path.Combine(_root, "munge", "munged.pid")];

    public static LocalSlurm Start(string root)
    {
        var s = new LocalSlurm(root);
        try { s.Boot(); } catch (Exception e) when (e is InvalidOperationException or IOException or System.ComponentModel.Win32Exception) { s.Problem = e.Message; }
        return s;
    }

    void Boot()
    {
        var munge = Path.Combine(_root, "munge");
        foreach (var d in new[] { munge, Path.Combine(_root, "state"), Path.Combine(_root, "spool") }) Directory.CreateDirectory(d);
        Run("chown", "munge:munge", munge);
        Run("chmod", "755", _root, munge);   // munged wants every directory above its socket traversable
        var socket = Path.Combine(munge, "munge.socket");
        Run("runuser", "-u", "munge", "--", "/usr/sbin/munged", $"--socket={socket}", $"--pid-file={Path.Combine(munge, "munged.pid")}",
            $"--log-file={Path.Combine(munge, "munged.log")}", $"--seed-file={Path.Combine(munge, "munged.seed")}");

        // Ports of our own, so a Slurm already on this machine is never touched.
        int port = 20000 + System.Environment.ProcessId % 20000;
        string host = System.Environment.MachineName;
        long memoryMb = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes >> 21;   // half of it, in MB
        File.WriteAllText(Conf, $"""
            ClusterName=rktest
            SlurmctldHost={host}
            AuthType=auth/munge
            AuthInfo=socket={socket}
            CredType=cred/munge
            SlurmUser=root
            SlurmdUser=root
            SlurmctldPort={port}
            SlurmdPort={port + 1}
            ProctrackType=proctrack/linuxproc
            TaskPlugin=task/none
            JobAcctGatherType=jobacct_gather/none
            AccountingStorageType=accounting_storage/none
            MpiDefault=none
            SelectType=select/cons_tres
            SelectTypeParameters=CR_Core
            ReturnToService=2
            SlurmctldPidFile={PidFiles[1]}
            SlurmdPidFile={PidFiles[0]}
            StateSaveLocation={Path.Combine(_root, "state")}
            SlurmdSpoolDir={Path.Combine(_root, "spool")}
            SlurmctldLogFile={Path.Combine(_root, "slurmctld.log")}
            SlurmdLogFile={Path.Combine(_root, "slurmd.log")}
            NodeName={host} CPUs={System.Environment.ProcessorCount} RealMemory={memoryMb} State=UNKNOWN
            PartitionName=rk Nodes=ALL Default=YES MaxTime=INFINITE State=UP

            """);
        Environment["SLURM_CONF"] = Conf;
        Run("/usr/sbin/slurmctld", "-f", Conf, "-c");
        Run("/usr/sbin/slurmd", "-f", Conf);
        var clock = Stopwatch.StartNew();
        string state = "";
        while (clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            state = Run("/usr/bin/sinfo", "-h", "-o", "%T", allowFailure: true).Trim();
            if (state == "idle") return;
            Thread.Sleep(250);
        }
        throw new InvalidOperationException($"the node did not become idle in 30 s (sinfo: '{state}')\n{Logs()}");
    }

    string Run(string file, params string[] args) => Run(file, args, allowFailure: false);

    string Run(string file, string a, string b, string c, bool allowFailure) => Run(file, [a, b, c], allowFailure);

    string Run(string file, string[] args, bool allowFailure)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) info.ArgumentList.Add(a);
        foreach (var (k, v) in Environment) info.Environment[k] = v;
        using var p = Process.Start(info)!;
        var err = p.StandardError.ReadToEndAsync();
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0 && !allowFailure) throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({p.ExitCode}): {err.Result}{output}");
        return output;
    }

    public string Logs() => string.Join("\n", new[] { "slurmctld.log", "slurmd.log", "munge/munged.log" }
        .Select(f => Path.Combine(_root, f)).Where(File.Exists).Select(f => $"== {f}\n{string.Join("\n", File.ReadLines(f).TakeLast(15))}"));

    /// <summary>SIGTERM to each daemon by its pid file, SIGKILL after 5 s.</summary>
    public void Dispose()
    {
        foreach (var pidFile in PidFiles)
        {
            if (!File.Exists(pidFile) || !int.TryParse(File.ReadAllText(pidFile).Trim(), out int pid)) continue;
            try
            {
                using var process = Process.GetProcessById(pid);
                kill(pid, 15);
                if (!process.WaitForExit(5000)) process.Kill();
            }
            catch (ArgumentException) { }          // already gone
            catch (InvalidOperationException) { }
        }
    }

    [System.Runtime.InteropServices.DllImport("libc")]
    static extern int kill(int pid, int signal);
}
