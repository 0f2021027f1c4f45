using System.Globalization;
using SecGear.Images;

namespace SecureChannel.Client;

/// <summary>The client's command line.</summary>
internal sealed class ClientArguments
{
    /// <summary>The largest frame body accepted (the sample enclave's limit).</summary>
    public const int MaxFrameLength = 64 * 1024;

    /// <summary>The largest secret the sample enclave accepts in one record.</summary>
    public const int MaxSecretLength = 16 * 1024;

    public const string Usage =
        "usage: SecureChannel.Client (--image PATH | --measurement HEX --signer HEX) [--port N] [--host ADDRESS] [--ca PEM] [--secret TEXT] [--tls]\n" +
        "  --image PATH        the signed enclave image you built: its measurement and signer are pinned\n" +
        "  --measurement HEX   pin this measurement instead (overrides the image's)\n" +
        "  --signer HEX        pin this signer instead (overrides the image's)\n" +
        "  --port N            the host's port on 127.0.0.1 (default 5077, or 5078 with --tls)\n" +
        "  --ca PEM            the simulated attestation CA certificate to trust\n" +
        "                      (default: $SECGEAR_PLATFORM_SECRET or ~/.secgear/simulation/platform.secret, + .attestation-ca.pem)\n" +
        "  --secret TEXT       the secret to send (default: a demo text)\n" +
        "  --tls               use TLS 1.3 with an RA-TLS certificate check instead of the secure channel\n" +
        "                      (connect to the host's RA-TLS port, default 5078)";

    private string? _imagePath;
    private string? _measurementHex;
    private string? _signerHex;
    private int? _port;

    public string Host { get; private set; } = "127.0.0.1";

    public int Port => _port ?? (Tls ? 5078 : 5077);

    public string CaPath { get; private set; } = DefaultCaPath();

    public string Secret { get; private set; } = "the vault code is 7341-9926";

    public bool Tls { get; private set; }

    public static ClientArguments Parse(IReadOnlyList<string> args)
    {
        var result = new ClientArguments();
        for (int i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--image": result._imagePath = Value(); break;
                case "--measurement": result._measurementHex = Value(); break;
                case "--signer": result._signerHex = Value(); break;
                case "--host": result.Host = Value(); break;
                case "--port": result._port = ParsePort(Value()); break;
                case "--ca": result.CaPath = Value(); break;
                case "--secret": result.Secret = Value(); break;
                case "--tls": result.Tls = true; break;
                default: throw new ArgumentException($"unknown argument '{args[i]}'");
            }
        }

        if (result._imagePath is null && (result._measurementHex is null || result._signerHex is null))
        {
            throw new ArgumentException("give --image, or both --measurement and --signer");
        }

        if (result.Secret.Length == 0 || System.Text.Encoding.UTF8.GetByteCount(result.Secret) > MaxSecretLength)
        {
            throw new ArgumentException($"--secret must be 1..{MaxSecretLength} bytes");
        }

        return result;
    }

    /// <summary>The measurement and signer to pin: from the signed image (its signature is checked on load), or given in hex.</summary>
    public (byte[] Measurement, byte[] Signer) ExpectedIdentity()
    {
        var identity = _imagePath is null ? null : EnclaveImage.Load(_imagePath).Identity;
        byte[] measurement = _measurementHex is null ? identity!.Measurement.ToArray() : Hash(_measurementHex, "--measurement");
        byte[] signer = _signerHex is null ? identity!.Signer.ToArray() : Hash(_signerHex, "--signer");
        return (measurement, signer);
    }

    private static byte[] Hash(string hex, string name)
    {
        try
        {
            byte[] bytes = Convert.FromHexString(hex);
            return bytes.Length == 32 ? bytes : throw new ArgumentException($"{name} must be 32 bytes (64 hex digits)");
        }
        catch (FormatException)
        {
            throw new ArgumentException($"{name} must be hexadecimal");
        }
    }

    private static string DefaultCaPath()
    {
        string secret = Environment.GetEnvironmentVariable("SECGEAR_PLATFORM_SECRET") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".secgear", "simulation", "platform.secret");
        return secret + ".attestation-ca.pem";
    }

    private static int ParsePort(string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int port) && port is > 0 and <= 65535
            ? port
            : throw new ArgumentException($"--port must be 1..65535, not '{value}'");
}
