using SecGear.Abi;

namespace SecGear.Transport;

/// <summary>What a slot message carries. Values below 16 travel host → enclave, the others enclave → host.</summary>
internal enum MessageKind
{
    /// <summary>Host → enclave: run an ECALL (top level, or nested in an OCALL of this slot).</summary>
    Ecall = 1,

    /// <summary>Host → enclave: bind a contract; payload is the name (UTF-8 string) and the hash (bytes).</summary>
    Bind = 2,

    /// <summary>Host → enclave: the OCALL succeeded; payload is its response.</summary>
    OcallResult = 3,

    /// <summary>Host → enclave: the OCALL failed; payload is an error record, status says how.</summary>
    OcallError = 4,

    /// <summary>Host → enclave: the log message was delivered.</summary>
    LogAck = 5,

    /// <summary>Host → enclave: map shared buffer (uint32 id, int32 length) from the file the name derives from; result: the int64 token.</summary>
    ShareMemory = 6,

    /// <summary>Host → enclave: forget shared buffer (uint32 id); result: empty.</summary>
    UnshareMemory = 7,

    /// <summary>Host → enclave: run system call <c>function</c> (an <c>EnclaveSystemCall</c>) in the trusted runtime; contract is 0.</summary>
    SystemCall = 8,

    /// <summary>Enclave → host: the ECALL (or bind, system call) succeeded; payload is its response (bind: the contract handle).</summary>
    Result = 16,

    /// <summary>Enclave → host: the ECALL (or bind, system call) failed; payload is an error record, status says how.</summary>
    Error = 17,

    /// <summary>Enclave → host: run an OCALL on the thread that is waiting on this slot.</summary>
    Ocall = 18,

    /// <summary>Enclave → host: a log message (level int32, category and text UTF-8 strings).</summary>
    Log = 19,
}
