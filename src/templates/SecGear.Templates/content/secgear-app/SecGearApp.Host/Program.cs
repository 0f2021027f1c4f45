using System.Text;
using SecGear;
using SecGear.Host;
using SecGearApp;

// Starts the enclave from its signed image (next to this program), makes an ECALL that answers through an OCALL, and
// seals and unseals a secret inside it. Usage: SecGearApp.Host [simulation|inprocess] [image path]
EnclaveType engine = EnclaveType.Simulation;
if (args.Length > 0 && args[0] == "inprocess")
{
    engine = EnclaveType.InProcess;
}
else if (args.Length > 0 && args[0] != "simulation")
{
    Console.Error.WriteLine($"SecGearApp.Host: unknown engine '{args[0]}'; use simulation or inprocess");
    return 2;
}

string imagePath = args.Length > 1 ? args[1] : Path.Combine(AppContext.BaseDirectory, "SecGearApp.Enclave.sgimage");

try
{
    await using Enclave enclave = Enclave.Create(imagePath, engine);
    Console.WriteLine($"engine:      {enclave.EngineName}");
    Console.WriteLine($"enclave:     {enclave.Manifest.Name} (product {enclave.Identity.ProductId}, security version {enclave.Identity.SecurityVersion})");
    Console.WriteLine($"measurement: {enclave.Identity.MeasurementHex}");

    var app = new AppProxy(enclave, new HostOcalls());
    byte[] buffer = new byte[128];
    int length = app.Greet("world", buffer);
    if (length < 0)
    {
        Console.Error.WriteLine("greet: buffer too small");
        return 1;
    }

    Console.WriteLine($"greeting:    {Encoding.UTF8.GetString(buffer, 0, length)}");

    byte[] secret = Encoding.UTF8.GetBytes("only this enclave's signer can read this");
    byte[] blob = new byte[1024];
    int sealedLength = app.SealSecret(secret, blob);
    byte[] unsealed = new byte[secret.Length];
    int unsealedLength = sealedLength < 0 ? -1 : app.UnsealSecret(blob.AsSpan(0, sealedLength), unsealed);
    bool roundTrip = unsealedLength == secret.Length && unsealed.AsSpan().SequenceEqual(secret);
    Console.WriteLine($"sealed:      {(roundTrip ? "unsealed to the original secret" : "MISMATCH")}");
    return roundTrip ? 0 : 1;
}
catch (Exception ex) when (ex is SecGearException or IOException)
{
    // A missing, tampered or unsupported image: one line, not a stack trace.
    Console.Error.WriteLine($"SecGearApp.Host: {ex.Message}");
    return 1;
}

/// <summary>The host's implementation of the OCALLs declared in app.edl.</summary>
internal sealed class HostOcalls : IAppOcalls
{
    public void LogLine(string? line) => Console.WriteLine(line);
}
