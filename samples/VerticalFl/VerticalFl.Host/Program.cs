using System.Diagnostics;
using System.Globalization;
using SecGear.VerticalFl;
using VerticalFl.Host;

// Vertical federated learning on breast_cancer.csv: follower A holds features 0-14, follower B features 15-29, the
// leader the labels. `--demo` (the default) trains the same architecture centrally, then vertically with the split
// layer in the leader's enclave and the two followers as separate processes over gRPC, plots both and prints the two
// result lines; it exits 0 only when the vertical accuracy and AUC are within 1 percentage point of the central ones.
HostArguments arguments;
try
{
    arguments = HostArguments.Parse(args);
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine(ex.Message);
    Console.Error.WriteLine(HostArguments.Usage);
    return 64;
}

VerticalScenario scenario = VerticalScenario.Load(arguments.Data);
TrainingPlan plan = VerticalScenario.Plan(arguments.Strict ? TrainingMode.Strict : TrainingMode.SplitLayer);
try
{
    return arguments.Verb switch
    {
        "follower" => await RunFollowerAsync(),
        "leader" => await RunLeaderAsync(demo: false),
        _ => await RunLeaderAsync(demo: true),
    };
}
catch (VerticalFlException ex)
{
    Console.Error.WriteLine($"failed: {ex.Status}: {ex.Message}");
    return 1;
}

async Task<int> RunFollowerAsync()
{
    int index = VerticalScenario.PartyNames.ToList().IndexOf(arguments.Party!);
    if (index < 0)
    {
        Console.Error.WriteLine($"--party must be one of {string.Join(", ", VerticalScenario.PartyNames)}");
        return 64;
    }

    EnclaveTrust trust = EnclaveTrust.ForSimulatedImage(arguments.Image);
    FollowerOptions options = scenario.FollowerOptions(plan, index, arguments.Leader!, trust) with { CheckpointDirectory = arguments.Checkpoints };
    using var follower = new FollowerNode(options);
    Console.WriteLine($"follower {options.Party}: {options.Data.FeatureCount} features, pinning the enclave of {Path.GetFileName(arguments.Image)}");
    await follower.RunAsync();
    Console.WriteLine($"follower {options.Party}: finished");
    return 0;
}

async Task<int> RunLeaderAsync(bool demo)
{
    IReadOnlyList<EpochResult>? central = null;
    if (demo)
    {
        Console.WriteLine($"data: {scenario.Data.Rows} samples x {scenario.Data.FeatureCount} features, train {scenario.TrainIds.Length}, test {scenario.TestIds.Length}");
        central = scenario.TrainCentral(plan, arguments.Epochs, progress: new ConsoleProgress("central", arguments.Epochs));
    }

    LeaderOptions options = scenario.LeaderOptions(plan) with { Port = arguments.Port, Log = TextWriter.Null };
    await using LeaderNode leader = await LeaderNode.StartAsync(options);
    Console.WriteLine($"leader: {plan.Mode} mode, enclave measurement {leader.EnclaveIdentity.MeasurementHex[..16]}..., followers connect to {leader.Address}");
    var followers = new List<Process>();
    try
    {
        if (demo)
        {
            foreach (string party in VerticalScenario.PartyNames)
            {
                followers.Add(StartFollower(party, leader.Address));
            }
        }

        IReadOnlyList<EpochResult> vertical = await leader.TrainAsync(arguments.Epochs, new ConsoleProgress("vertical", arguments.Epochs));
        await leader.FinishAsync();
        foreach (Process follower in followers)
        {
            await follower.WaitForExitAsync();
        }

        EpochResult v = vertical[^1];
        if (central is null)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"vertical accuracy {v.TestAccuracy:F4} auc {v.TestAuc:F4}"));
            return 0;
        }

        EpochResult c = central[^1];
        TrainingPlot.Save(arguments.Plot, central, vertical);
        bool close = Math.Abs(c.TestAccuracy - v.TestAccuracy) <= 0.01 && Math.Abs(c.TestAuc - v.TestAuc) <= 0.01;
        bool followersOk = followers.All(f => f.ExitCode == 0);
        Console.WriteLine($"plot: {arguments.Plot}");
        Console.WriteLine(close && followersOk
            ? "check: vertical accuracy and AUC are within 1 percentage point of central training"
            : $"check: FAILED ({(close ? "a follower failed" : "vertical and central differ by more than 1 percentage point")})");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"central accuracy {c.TestAccuracy:F4} auc {c.TestAuc:F4}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"vertical accuracy {v.TestAccuracy:F4} auc {v.TestAuc:F4}"));
        return close && followersOk ? 0 : 1;
    }
    finally
    {
        foreach (Process follower in followers)
        {
            if (!follower.HasExited)
            {
                follower.Kill(entireProcessTree: true);
            }

            follower.Dispose();
        }
    }
}

Process StartFollower(string party, Uri leader)
{
    var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
    foreach (string arg in new[] { typeof(HostArguments).Assembly.Location, "follower", "--leader", leader.ToString(), "--party", party, "--data", arguments.Data, "--image", arguments.Image })
    {
        start.ArgumentList.Add(arg);
    }

    if (arguments.Strict)
    {
        start.ArgumentList.Add("--strict");
    }

    var process = Process.Start(start) ?? throw new InvalidOperationException("could not start a follower process");
    process.OutputDataReceived += (_, e) => Echo(party, e.Data);
    process.ErrorDataReceived += (_, e) => Echo(party, e.Data);
    process.BeginOutputReadLine();
    process.BeginErrorReadLine();
    return process;
}

static void Echo(string party, string? line)
{
    if (!string.IsNullOrEmpty(line))
    {
        Console.Error.WriteLine($"  [{party}] {line}");
    }
}
