using System.Diagnostics;
using System.Globalization;
using SecGear.VerticalFl;
using VerticalFl.Host;

// Vertical federated learning on breast_cancer.csv: follower A holds features 0-14, follower B features 15-29, the
// leader the labels. `--demo` (the default) trains the same architecture centrally, then vertically with the split
// layer in the leader's enclave and the two followers as separate processes over gRPC, plots both and prints the two
// result lines; it exits 0 only when the vertical accuracy and AUC are within 1 percentage point of the central ones.
// Each follower authenticates to the enclave with its own key, whose SHA-256 the plan (agreed by every party) pins.
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
TrainingMode mode = arguments.Strict ? TrainingMode.Strict : TrainingMode.SplitLayer;
string? demoDirectory = null;
try
{
    return arguments.Verb switch
    {
        "keygen" => Keygen(),
        "plan" => WritePlan(),
        "follower" => await RunFollowerAsync(),
        "leader" => await RunLeaderAsync(PlanFile.Load(arguments.PlanPath!), demo: false),
        _ => await RunLeaderAsync(CreateDemoParties(), demo: true),
    };
}
catch (VerticalFlException ex)
{
    Console.Error.WriteLine($"failed: {ex.Status}: {ex.Message}");
    return 1;
}
catch (InvalidDataException ex)
{
    Console.Error.WriteLine($"failed: {ex.Message}");
    return 1;
}
catch (Exception ex) when (ex is ArgumentException or FormatException)
{
    Console.Error.WriteLine(ex.Message);
    return 64;
}
finally
{
    if (demoDirectory is not null)
    {
        Directory.Delete(demoDirectory, recursive: true);
    }
}

// A follower's operator creates its channel key once and gives the printed pin to whoever writes the plan.
int Keygen()
{
    using FollowerIdentity identity = FollowerIdentity.Create(arguments.Party!);
    identity.Save(arguments.Out!);
    Console.WriteLine($"{arguments.Party} pin {Convert.ToHexStringLower(identity.KeySha256)} (key and certificate in {arguments.Out})");
    return 0;
}

int WritePlan()
{
    byte[][] pins = [.. VerticalScenario.PartyNames.Select(p => arguments.Pins.TryGetValue(p, out string? hex) ? Convert.FromHexString(hex) : throw new ArgumentException($"--pin {p}=HEX is missing"))];
    PlanFile.Save(arguments.Out!, scenario.Plan(mode, pins));
    Console.WriteLine($"plan written to {arguments.Out}; every party's operator should check it before training");
    return 0;
}

// The demo plays every operator: a key per follower in a private temporary directory, and the plan file they share.
TrainingPlan CreateDemoParties()
{
    demoDirectory = Directory.CreateTempSubdirectory("secgear-vfl-demo-").FullName;
    var pins = new List<byte[]>();
    foreach (string party in VerticalScenario.PartyNames)
    {
        using FollowerIdentity identity = FollowerIdentity.Create(party);
        identity.Save(Path.Combine(demoDirectory, party + ".pem"));
        pins.Add(identity.KeySha256);
    }

    TrainingPlan demoPlan = scenario.Plan(mode, pins);
    PlanFile.Save(Path.Combine(demoDirectory, "plan.json"), demoPlan);
    return demoPlan;
}

async Task<int> RunFollowerAsync()
{
    int index = VerticalScenario.PartyNames.ToList().IndexOf(arguments.Party!);
    if (index < 0)
    {
        Console.Error.WriteLine($"--party must be one of {string.Join(", ", VerticalScenario.PartyNames)}");
        return 64;
    }

    TrainingPlan plan = PlanFile.Load(arguments.PlanPath!);
    EnclaveTrust trust = EnclaveTrust.ForSimulatedImage(arguments.Image);
    using FollowerIdentity identity = FollowerIdentity.Load(arguments.Credential!);
    FollowerOptions options = scenario.FollowerOptions(plan, index, arguments.Leader!, trust, identity.Credential) with { CheckpointDirectory = arguments.Checkpoints };
    using var follower = new FollowerNode(options);
    Console.WriteLine($"follower {options.Party}: {options.Data.FeatureCount} features, key {Convert.ToHexStringLower(identity.KeySha256)[..16]}..., pinning the enclave of {Path.GetFileName(arguments.Image)}");
    await follower.RunAsync();
    Console.WriteLine($"follower {options.Party}: finished");
    return 0;
}

async Task<int> RunLeaderAsync(TrainingPlan plan, bool demo)
{
    IReadOnlyList<EpochResult>? central = null;
    if (demo)
    {
        Console.WriteLine($"data: {scenario.Data.Rows} samples x {scenario.Data.FeatureCount} features, train {scenario.TrainIds.Length}, test {scenario.TestIds.Length}");
        central = scenario.TrainCentral(plan, arguments.Epochs, progress: new ConsoleProgress("central", arguments.Epochs));
    }

    LeaderOptions options = scenario.LeaderOptions(plan) with { Port = arguments.Port, Log = TextWriter.Null, CheckpointDirectory = arguments.Checkpoints };
    await using LeaderNode leader = await LeaderNode.StartAsync(options);
    if (leader.CheckpointEpoch >= 0)
    {
        Console.WriteLine($"leader: resumed from the sealed checkpoint of epoch {leader.CheckpointEpoch} in {arguments.Checkpoints}");
    }

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
    string[] follower =
    [
        typeof(HostArguments).Assembly.Location, "follower", "--leader", leader.ToString(), "--party", party, "--data", arguments.Data, "--image", arguments.Image,
        "--plan", Path.Combine(demoDirectory!, "plan.json"), "--credential", Path.Combine(demoDirectory!, party + ".pem"),
    ];
    foreach (string arg in follower)
    {
        start.ArgumentList.Add(arg);
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
