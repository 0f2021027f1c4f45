using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using SecGear;
using SecGear.Host;
using SecGear.SecureChannel;
using SecGear.Simulation;
using SecGear.Trusted.Attestation;
using SecGear.Trusted.Platform;
using SecureChannel.Host;
using SecureChannelSample;

// SecureChannel host: start the enclave on the simulation engine and relay secure channel frames between TCP clients
// on 127.0.0.1 and the enclave, and raw TLS bytes between RA-TLS clients and TLS sessions inside the enclave. The host
// never holds a key: it logs each frame's type, length and first bytes (handshake messages or ciphertext), and each
// TLS chunk likewise. `--demo` also starts the client once and exits with its exit code.
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

await using Enclave? enclave = EnclaveStartup.CreateOrReport(arguments.ImagePath, EnclaveType.Simulation);
if (enclave is null)
{
    return EnclaveStartup.FailureExitCode;
}
Directory.CreateDirectory(arguments.SealedDirectory);
using var relayLog = new RelayLog(Console.Out, arguments.RecordPath);
var ocalls = new HostOcalls(arguments.SealedDirectory);
var channel = new SecureChannelProxy(enclave, ocalls);

// The simulated CA that certifies this machine's attestation key: a client pins it (a public certificate, no secret).
SimulatedAttestationAuthority.EnsureCaCertificate();
string caPath = SimulatedAttestationAuthority.CaCertificatePath(SimulatedPlatformOptions.DefaultSecretPath);
Console.WriteLine($"engine:       {enclave.EngineName}");
Console.WriteLine($"measurement:  {enclave.Identity.MeasurementHex}");
Console.WriteLine($"signer:       {enclave.Identity.SignerHex}");
Console.WriteLine($"simulated CA: {caPath}");
Console.WriteLine($"sealed blobs: {arguments.SealedDirectory}");

var relay = new SecureChannelRelay((frame, _) => new ValueTask<IReadOnlyList<byte[]>>(Forward(frame)), HostArguments.MaxFrameLength);
var listener = new TcpListener(IPAddress.Loopback, arguments.Port);
listener.Start();
int port = ((IPEndPoint)listener.LocalEndpoint).Port;
var tlsListener = new TcpListener(IPAddress.Loopback, arguments.TlsPort);
tlsListener.Start();
int tlsPort = ((IPEndPoint)tlsListener.LocalEndpoint).Port;
Console.WriteLine($"listening:    127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)} (secure channel)");
Console.WriteLine($"listening:    127.0.0.1:{tlsPort.ToString(CultureInfo.InvariantCulture)} (RA-TLS, TLS 1.3 ending in the enclave)");

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};
using var sweeper = new Timer(_ => RemoveIdleSessions(), null, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30));
Task serving = relay.ServeTcpAsync(listener, (remote, ex) => Console.WriteLine($"relay:        connection {remote} ended: {ex.Message}"), stop.Token);
Task servingTls = new TlsRelay(channel, relayLog).ServeAsync(tlsListener, stop.Token);

int exitCode = 0;
if (arguments.Demo)
{
    exitCode = await RunClientAsync(arguments.ClientArguments.Contains("--tls") ? tlsPort : port, arguments, stop.Token);
    stop.Cancel();
}
else
{
    Console.WriteLine("Serving until Ctrl+C.");
}

await Task.WhenAll(serving, servingTls);
listener.Stop();
tlsListener.Stop();
return exitCode;

// One frame into the enclave (ECALL channel_process) and the reply frames out, each logged as it passes.
IReadOnlyList<byte[]> Forward(ReadOnlyMemory<byte> frame)
{
    relayLog.Frame("client -> enclave", frame.Span);
    byte[] replies = new byte[HostArguments.ReplyCapacity];
    int length = channel.ChannelProcess(frame.Span, replies);
    if (length < 0)
    {
        throw new SecureChannelException(SecureChannelFailureCode.SessionClosed, "the enclave refused the frame and closed its session; dropping the connection");
    }

    var frames = RelayLog.Split(replies.AsSpan(0, length));
    foreach (byte[] reply in frames)
    {
        relayLog.Frame("enclave -> client", reply);
    }

    return frames;
}

// Idle channel sessions and half-open handshakes are dropped inside the enclave; a failed call is reported, not fatal.
void RemoveIdleSessions()
{
    try
    {
        int removed = channel.ChannelRemoveIdle();
        if (removed > 0)
        {
            Console.WriteLine($"host:         the enclave dropped {removed} idle session(s)");
        }
    }
    catch (SecGearException ex)
    {
        Console.WriteLine($"host:         channel_remove_idle failed: {ex.Message}");
    }
}

static async Task<int> RunClientAsync(int port, HostArguments arguments, CancellationToken cancellationToken)
{
    string clientDll = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "SecureChannel.Client.path")).Trim();
    var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
    start.ArgumentList.Add(clientDll);
    start.ArgumentList.Add("--port");
    start.ArgumentList.Add(port.ToString(CultureInfo.InvariantCulture));
    start.ArgumentList.Add("--image");
    start.ArgumentList.Add(arguments.ImagePath);
    foreach (string arg in arguments.ClientArguments)
    {
        start.ArgumentList.Add(arg);
    }

    using var client = Process.Start(start) ?? throw new InvalidOperationException("could not start the client");
    client.OutputDataReceived += (_, e) => Echo(e.Data);
    client.ErrorDataReceived += (_, e) => Echo(e.Data);
    client.BeginOutputReadLine();
    client.BeginErrorReadLine();
    await client.WaitForExitAsync(cancellationToken);
    Console.WriteLine($"demo:         the client exited with code {client.ExitCode.ToString(CultureInfo.InvariantCulture)}");
    return client.ExitCode;

    static void Echo(string? line)
    {
        if (line is not null)
        {
            Console.WriteLine($"client | {line}");
        }
    }
}
