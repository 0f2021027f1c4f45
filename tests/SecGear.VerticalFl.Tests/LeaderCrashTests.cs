using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using SecGear.VerticalFl;

namespace SecGear.VerticalFl.Tests;

public sealed partial class LeaderCrashTests
{
    private const int Epochs = 3;

    [Fact]
    public async Task Killed_leader_process_resumes_from_its_sealed_checkpoint_to_the_uninterrupted_model()
    {
        IReadOnlyList<EpochResult> uninterrupted = await VflRun.UninterruptedAsync(Epochs);

        string directory = Directory.CreateTempSubdirectory("secgear-vfl-crash-").FullName;
        try
        {
            string plan = Path.Combine(directory, "plan.json");
            PlanFile.Save(plan, VflRun.AgreedPlan(TrainingMode.SplitLayer));

            // First leader process: killed in the middle of epoch 1 (follower A's 20th gradient; 15 rounds per epoch).
            var lines = new List<string>();
            using (LeaderProcess first = LeaderProcess.Start(plan, Path.Combine(directory, "leader")))
            {
                Uri address = await first.AddressAsync();
                int gradients = 0;
                Task[] followers = StartFollowers(address, directory, (kind, _, _) =>
                {
                    if (kind == "gradient" && Interlocked.Increment(ref gradients) == 20)
                    {
                        first.Kill();
                    }
                });
                foreach (Task follower in followers)
                {
                    await Assert.ThrowsAnyAsync<Exception>(() => follower.WaitAsync(TimeSpan.FromMinutes(1)));
                }

                await first.ExitAsync();
                lines.AddRange(first.Lines);
            }

            Assert.Single(lines, l => l.StartsWith("vertical epoch", StringComparison.Ordinal));

            // Second leader process on the same directory; the followers restart from their own checkpoint files.
            using (LeaderProcess second = LeaderProcess.Start(plan, Path.Combine(directory, "leader")))
            {
                Uri address = await second.AddressAsync();
                Task[] followers = StartFollowers(address, directory, null);
                Assert.Equal(0, await second.ExitAsync());
                await Task.WhenAll(followers).WaitAsync(TimeSpan.FromMinutes(1));
                Assert.Contains(second.Lines, l => l.StartsWith("leader: resumed from the sealed checkpoint of epoch 0 ", StringComparison.Ordinal));
                lines.AddRange(second.Lines);
            }

            EpochResult[] resumed = [.. lines.Select(l => EpochLine().Match(l)).Where(m => m.Success).Select(Parse)];
            Assert.Equal([0, 1, 2], resumed.Select(r => r.Epoch));
            for (int e = 0; e < Epochs; e++)
            {
                Assert.Equal(uninterrupted[e].TrainLoss, resumed[e].TrainLoss, 4);
                Assert.Equal(uninterrupted[e].TestAccuracy, resumed[e].TestAccuracy, 4);
                Assert.Equal(uninterrupted[e].TestAuc, resumed[e].TestAuc, 4);
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task Sealed_checkpoint_that_was_altered_or_belongs_to_another_plan_is_refused()
    {
        string directory = Directory.CreateTempSubdirectory("secgear-vfl-sealed-").FullName;
        try
        {
            await using (VflRun run = await VflRun.StartAsync(TrainingMode.SplitLayer, o => o with { CheckpointDirectory = directory }))
            {
                run.StartFollowers();
                await run.Leader.TrainAsync(1);
                await run.FinishAsync();
            }

            // Another plan (a different learning rate) must not continue from this run's sealed state.
            var other = await Assert.ThrowsAsync<VerticalFlException>(() => VflRun.StartAsync(TrainingMode.SplitLayer, o => o with { CheckpointDirectory = directory, Plan = o.Plan with { LearningRate = 0.2f } }));
            Assert.Equal(VflStatus.CheckpointRejected, other.Status);
            Assert.Contains("another training plan", other.Message, StringComparison.Ordinal);

            // One flipped bit in the sealed part (it starts after magic, version, epoch, round and its length: 21 bytes).
            string file = Path.Combine(directory, "leader.checkpoint");
            byte[] bytes = await File.ReadAllBytesAsync(file);
            bytes[21 + 100] ^= 0x01;
            await File.WriteAllBytesAsync(file, bytes);
            var altered = await Assert.ThrowsAsync<VerticalFlException>(() => VflRun.StartAsync(TrainingMode.SplitLayer, o => o with { CheckpointDirectory = directory }));
            Assert.Equal(VflStatus.CheckpointRejected, altered.Status);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static Task[] StartFollowers(Uri leader, string directory, Action<string, ulong, float[]>? observer)
    {
        TrainingPlan plan = VflRun.AgreedPlan(TrainingMode.SplitLayer);
        return
        [
            .. Enumerable.Range(0, plan.Parties.Count).Select(i => Task.Run(async () =>
            {
                FollowerOptions options = VflRun.SharedScenario.FollowerOptions(plan, i, leader, VflRun.Trust, VflRun.Identities[i].Credential) with
                {
                    CheckpointDirectory = Path.Combine(directory, "followers"),
                    Observer = i == 0 ? observer : null,
                };
                using var node = new FollowerNode(options);
                await node.RunAsync();
            })),
        ];
    }

    private static EpochResult Parse(Match m) => new(
        int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) - 1,
        double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture),
        double.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture),
        double.Parse(m.Groups[4].Value, CultureInfo.InvariantCulture),
        TimeSpan.Zero);

    [GeneratedRegex(@"^vertical epoch +([0-9]+)/[0-9]+ loss ([0-9.]+) accuracy ([0-9.]+) auc ([0-9.]+)")]
    private static partial Regex EpochLine();

    /// <summary>The sample's <c>leader</c> verb as its own process (so it can be killed), its stdout collected.</summary>
    private sealed class LeaderProcess : IDisposable
    {
        private readonly Process _process;
        private readonly TaskCompletionSource<Uri> _address = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly List<string> _lines = [];

        private LeaderProcess(Process process)
        {
            _process = process;
        }

        public IReadOnlyList<string> Lines
        {
            get
            {
                lock (_lines)
                {
                    return [.. _lines];
                }
            }
        }

        public static LeaderProcess Start(string plan, string checkpoints)
        {
            string configuration = RepositoryRoot.Configuration(typeof(LeaderCrashTests).Assembly);
            string hostDll = Path.Combine(RepositoryRoot.Path, "samples", "VerticalFl", "VerticalFl.Host", "bin", configuration, "net10.0", "linux-x64", "VerticalFl.Host.dll");
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (string arg in new[] { hostDll, "leader", "--plan", plan, "--port", "0", "--epochs", Epochs.ToString(CultureInfo.InvariantCulture), "--checkpoints", checkpoints })
            {
                start.ArgumentList.Add(arg);
            }

            var leader = new LeaderProcess(Process.Start(start)!);
            leader._process.OutputDataReceived += (_, e) => leader.OnLine(e.Data);
            leader._process.ErrorDataReceived += (_, e) => leader.OnLine(e.Data);
            leader._process.BeginOutputReadLine();
            leader._process.BeginErrorReadLine();
            return leader;
        }

        public Task<Uri> AddressAsync() => _address.Task.WaitAsync(TimeSpan.FromMinutes(1));

        public void Kill() => _process.Kill(entireProcessTree: true);

        public async Task<int> ExitAsync()
        {
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
            _process.WaitForExit();
            return _process.ExitCode;
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            _process.Dispose();
        }

        private void OnLine(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (_lines)
            {
                _lines.Add(line);
            }

            const string Marker = "followers connect to ";
            int at = line.IndexOf(Marker, StringComparison.Ordinal);
            if (at >= 0)
            {
                _address.TrySetResult(new Uri(line[(at + Marker.Length)..].Trim()));
            }
        }
    }
}
