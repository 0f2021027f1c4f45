using System.Buffers;
using SecGear.Abi;
using SecGear.Identity;
using SecGear.Images;

namespace SecGear.Host.Engines;

/// <summary>
/// One enclave created by an engine. <see cref="Enclave"/> wraps it; engines implement it. Implementations are
/// thread-safe, and after <see cref="IDisposable.Dispose"/> every call fails with <see cref="EnclaveDisposedException"/>.
/// </summary>
public interface IEnclaveInstance : IDisposable
{
    /// <summary>The identity of the verified image, as computed by the enclave side.</summary>
    EnclaveIdentity Identity { get; }

    /// <summary>The image's signed manifest.</summary>
    EnclaveManifest Manifest { get; }

    /// <summary>
    /// Checks that the enclave implements <paramref name="contract"/> (same name and hash), registers
    /// <paramref name="ocalls"/> for its OCALLs, and returns the contract handle that <see cref="Call"/> takes.
    /// </summary>
    int Bind(ContractDescriptor contract, IOcallHandler? ocalls);

    /// <summary>Makes a regular ECALL; OCALLs made meanwhile run on the calling thread with <paramref name="ocalls"/>.</summary>
    void Call(int contract, IOcallHandler? ocalls, int functionId, ReadOnlySpan<byte> request, IBufferWriter<byte> response);
}
