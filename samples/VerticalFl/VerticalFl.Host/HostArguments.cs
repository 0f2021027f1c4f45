using System.Globalization;

namespace VerticalFl.Host;

/// <summary>The command line: <c>--demo</c> (default), <c>leader</c> or <c>follower</c>, and their options.</summary>
internal sealed class HostArguments
{
    public const string Usage = """
        usage: VerticalFl.Host [--demo] [--epochs N] [--strict] [--plot FILE] [--data CSV]
               VerticalFl.Host leader [--port N] [--epochs N] [--strict] [--data CSV]
               VerticalFl.Host follower --leader URL --party A|B [--image SGIMAGE] [--checkpoints DIR] [--data CSV]
        """;

    public string Verb { get; private set; } = "demo";

    public int Epochs { get; private set; } = 30;

    public bool Strict { get; private set; }

    public string Plot { get; private set; } = Path.Combine(Path.GetTempPath(), "secgear-verticalfl.png");

    public string Data { get; private set; } = Path.Combine(AppContext.BaseDirectory, "data", "breast_cancer.csv");

    public int Port { get; private set; }

    public Uri? Leader { get; private set; }

    public string? Party { get; private set; }

    public string Image { get; private set; } = Path.Combine(AppContext.BaseDirectory, "SecGear.VerticalFl.Enclave.sgimage");

    public string? Checkpoints { get; private set; }

    public static HostArguments Parse(string[] args)
    {
        var result = new HostArguments();
        for (int i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--demo": result.Verb = "demo"; break;
                case "leader": result.Verb = "leader"; break;
                case "follower": result.Verb = "follower"; break;
                case "--epochs": result.Epochs = Number(Value(), 1, 10_000, "--epochs"); break;
                case "--strict": result.Strict = true; break;
                case "--plot": result.Plot = Value(); break;
                case "--data": result.Data = Value(); break;
                case "--port": result.Port = Number(Value(), 0, 65535, "--port"); break;
                case "--leader": result.Leader = Uri.TryCreate(Value(), UriKind.Absolute, out Uri? uri) ? uri : throw new ArgumentException("--leader needs an absolute URL"); break;
                case "--party": result.Party = Value(); break;
                case "--image": result.Image = Value(); break;
                case "--checkpoints": result.Checkpoints = Value(); break;
                default: throw new ArgumentException($"unknown argument '{args[i]}'");
            }
        }

        if (result.Verb == "follower" && (result.Leader is null || result.Party is null))
        {
            throw new ArgumentException("follower needs --leader and --party");
        }

        return result;
    }

    private static int Number(string text, int min, int max, string name) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) && value >= min && value <= max
            ? value
            : throw new ArgumentException($"{name} takes a number in {min}..{max}");
}
