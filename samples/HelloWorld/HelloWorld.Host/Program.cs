using System.Text;
using HelloWorld;
using Microsoft.Extensions.Logging;
using SecGear.Host;

// HelloWorld host: create the enclave from its signed image (Auto picks the simulation engine when no TEE is
// present), make an ECALL that fills a buffer, receive an OCALL, then seal and unseal a secret inside the enclave.
string imagePath = args.Length > 0 ? args[0] : Path.Combine(AppContext.BaseDirectory, "HelloWorld.Enclave.sgimage");

using ILoggerFactory loggerFactory = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true));
await using Enclave? enclave = EnclaveStartup.CreateOrReport(imagePath, EnclaveType.Auto, options: new EnclaveOptions { LoggerFactory = loggerFactory });
if (enclave is null)
{
    return EnclaveStartup.FailureExitCode;
}

Console.WriteLine($"engine:      {enclave.EngineName}");
Console.WriteLine($"enclave:     {enclave.Manifest.Name} (product {enclave.Identity.ProductId}, security version {enclave.Identity.SecurityVersion})");
Console.WriteLine($"measurement: {enclave.Identity.MeasurementHex}");
Console.WriteLine($"signer:      {enclave.Identity.SignerHex}");

var hello = new HelloProxy(enclave, new HostOcalls());

byte[] buffer = new byte[64];
int length = hello.GetGreeting(buffer);
if (length < 0)
{
    Console.Error.WriteLine("get_greeting: buffer too small");
    return 1;
}

Console.WriteLine($"greeting:    {Encoding.UTF8.GetString(buffer, 0, length)}");

byte[] secret = Encoding.UTF8.GetBytes("the launch code is 0000");
byte[] sealedBlob = new byte[1024];
int sealedLength = hello.SealSecret(secret, sealedBlob);
if (sealedLength < 0)
{
    Console.Error.WriteLine("seal_secret: blob buffer too small");
    return 1;
}

Console.WriteLine($"sealed:      {sealedLength} bytes ({Convert.ToHexStringLower(sealedBlob.AsSpan(0, 16))}...)");

byte[] unsealed = new byte[secret.Length];
int unsealedLength = hello.UnsealSecret(sealedBlob.AsSpan(0, sealedLength), unsealed);
bool roundTrip = unsealedLength == secret.Length && unsealed.AsSpan().SequenceEqual(secret);
Console.WriteLine($"unsealed:    {(roundTrip ? "matches the original secret" : "MISMATCH")}");
return roundTrip ? 0 : 1;

/// <summary>The host's implementation of the OCALLs declared in hello.edl.</summary>
internal sealed class HostOcalls : IHelloOcalls
{
    public void PrintMessage(string? message) => Console.WriteLine(message);
}
