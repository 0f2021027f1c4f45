using System.Globalization;
using SecureChannelSample;

namespace SecureChannel.Host;

/// <summary>The host's implementation of the OCALLs declared in secure_channel.edl.</summary>
internal sealed class HostOcalls(string sealedDirectory) : ISecureChannelOcalls
{
    private int _count;

    /// <summary>Writes the sealed blob to a new file; only the enclave (same signer, same platform) can unseal it.</summary>
    public int StoreSealed(ReadOnlySpan<byte> blob)
    {
        int number = Interlocked.Increment(ref _count) - 1;
        string path = Path.Combine(sealedDirectory, string.Create(CultureInfo.InvariantCulture, $"secret-{Environment.ProcessId}-{number}.sealed"));
        try
        {
            using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
            file.Write(blob);
        }
        catch (IOException ex)
        {
            Console.WriteLine($"host:         could not store sealed blob #{number}: {ex.Message}");
            return -1;
        }

        Console.WriteLine($"host:         stored sealed blob #{number} ({blob.Length} bytes) in {path}");
        return number;
    }

    public void PrintMessage(string? message) => Console.WriteLine(message);
}
