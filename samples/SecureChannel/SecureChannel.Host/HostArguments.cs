using System.Globalization;

namespace SecureChannel.Host;

/// <summary>The host's command line.</summary>
internal sealed class HostArguments
{
    /// <summary>The largest frame body relayed; the enclave uses the same limit.</summary>
    public const int MaxFrameLength = 64 * 1024;

    /// <summary>Room for the enclave's answer to one frame: at most two whole frames.</summary>
    public const int ReplyCapacity = 2 * (MaxFrameLength + 5);

    public const string Usage =
        "usage: SecureChannel.Host [--port N] [--tls-port N] [--image PATH] [--sealed-dir DIR] [--record FILE] [--demo [client arguments...]]\n" +
        "  --port N        TCP port on 127.0.0.1 (default 5077; 0 picks a free one)\n" +
        "  --tls-port N    TCP port on 127.0.0.1 for RA-TLS (default 5078; 0 when --port is 0)\n" +
        "  --image PATH    the signed enclave image (default: SecureChannel.Enclave.sgimage beside the host)\n" +
        "  --sealed-dir    where the host stores the enclave's sealed blobs (default: <temp>/secgear-securechannel)\n" +
        "  --record FILE   also append every relayed frame, raw, to FILE (to search it for plaintext)\n" +
        "  --demo          start the client once, print its output, and exit with its exit code;\n" +
        "                  the arguments after --demo are passed to the client (with --tls, it uses the RA-TLS port)";

    public int Port { get; private init; } = 5077;

    public int TlsPort { get; private init; } = 5078;

    public string ImagePath { get; private init; } = Path.Combine(AppContext.BaseDirectory, "SecureChannel.Enclave.sgimage");

    public string SealedDirectory { get; private init; } = Path.Combine(Path.GetTempPath(), "secgear-securechannel");

    public string? RecordPath { get; private init; }

    public bool Demo { get; private init; }

    public IReadOnlyList<string> ClientArguments { get; private init; } = [];

    public static HostArguments Parse(IReadOnlyList<string> args)
    {
        var result = new HostArguments();
        bool tlsPortGiven = false;
        for (int i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            tlsPortGiven |= args[i] == "--tls-port";
            result = args[i] switch
            {
                "--port" => new HostArguments(result) { Port = ParsePort(Value()) },
                "--tls-port" => new HostArguments(result) { TlsPort = ParsePort(Value()) },
                "--image" => new HostArguments(result) { ImagePath = Path.GetFullPath(Value()) },
                "--sealed-dir" => new HostArguments(result) { SealedDirectory = Path.GetFullPath(Value()) },
                "--record" => new HostArguments(result) { RecordPath = Path.GetFullPath(Value()) },
                "--demo" => new HostArguments(result) { Demo = true, ClientArguments = args.Skip(i + 1).ToArray() },
                _ => throw new ArgumentException($"unknown argument '{args[i]}'"),
            };
            if (result.Demo)
            {
                break;
            }
        }

        return result.Port == 0 && !tlsPortGiven ? new HostArguments(result) { TlsPort = 0 } : result;
    }

    private HostArguments()
    {
    }

    private HostArguments(HostArguments other)
    {
        Port = other.Port;
        TlsPort = other.TlsPort;
        ImagePath = other.ImagePath;
        SealedDirectory = other.SealedDirectory;
        RecordPath = other.RecordPath;
        Demo = other.Demo;
        ClientArguments = other.ClientArguments;
    }

    private static int ParsePort(string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int port) && port <= 65535
            ? port
            : throw new ArgumentException($"--port must be 0..65535, not '{value}'");
}
