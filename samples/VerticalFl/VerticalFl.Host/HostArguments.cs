using System.Globalization;

namespace VerticalFl.Host;

/// <summary>The command line: <c>--demo</c> (default), <c>leader</c> or <c>follower</c>, and their options.</summary>
internal sealed class HostArguments
{
    public const string Usage = """
        usage: VerticalFl.Host [--demo] [--epochs N] [--strict] [--plot FILE] [--data CSV]
               VerticalFl.Host keygen --party A|B --out PEM
               VerticalFl.Host plan --pin A=HEX --pin B=HEX [--strict] --out JSON [--data CSV]
               VerticalFl.Host leader --plan JSON [--port N] [--epochs N] [--checkpoints DIR] [--data CSV]
               VerticalFl.Host follower --leader URL --party A|B --plan JSON --credential PEM [--image SGIMAGE] [--checkpoints DIR] [--data CSV]
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

    public string? PlanPath { get; private set; }

    public string? Credential { get; private set; }

    public string? Out { get; private set; }

    public Dictionary<string, string> Pins { get; } = new(StringComparer.Ordinal);

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
                case "keygen": result.Verb = "keygen"; break;
                case "plan": result.Verb = "plan"; break;
                case "--plan": result.PlanPath = Value(); break;
                case "--credential": result.Credential = Value(); break;
                case "--out": result.Out = Value(); break;
                case "--pin":
                    string[] pin = Value().Split('=', 2);
                    result.Pins[pin[0]] = pin.Length == 2 ? pin[1] : throw new ArgumentException("--pin takes PARTY=HEX");
                    break;
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

        string? missing = result.Verb switch
        {
            "follower" when result.Leader is null || result.Party is null || result.PlanPath is null || result.Credential is null => "follower needs --leader, --party, --plan and --credential",
            "leader" when result.PlanPath is null => "leader needs --plan",
            "keygen" when result.Party is null || result.Out is null => "keygen needs --party and --out",
            "plan" when result.Out is null => "plan needs --out",
            _ => null,
        };
        if (missing is not null)
        {
            throw new ArgumentException(missing);
        }

        return result;
    }

    private static int Number(string text, int min, int max, string name) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) && value >= min && value <= max
            ? value
            : throw new ArgumentException($"{name} takes a number in {min}..{max}");
}
