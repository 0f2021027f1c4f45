using System.Security.Cryptography;
using SecGear.Trusted.Runtime;

namespace SecGearEnclaveLibrary;

/// <summary>The enclave's implementation of the ECALLs declared in contract.edl (exactly one public class implements them).</summary>
public sealed class ContractEnclave : IContractEcalls
{
    private readonly ContractOcallProxy _host;

    /// <summary>The trusted runtime creates the enclave with its context (identity, OCALL channel, sealing, logging).</summary>
    public ContractEnclave(EnclaveContext context) => _host = new ContractOcallProxy(context.Ocalls);

    /// <inheritdoc />
    public int Digest(ReadOnlySpan<byte> data, Span<byte> digest)
    {
        if (digest.Length < SHA256.HashSizeInBytes)
        {
            return -1;
        }

        SHA256.HashData(data, digest);
        _host.LogLine($"enclave: hashed {data.Length} bytes");
        return 0;
    }
}
