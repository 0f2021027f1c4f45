using SecGear.Abi;

namespace SecGear.Transport;

/// <summary>
/// An error crossing the boundary: a status, the full name of the exception type that was thrown, and its message
/// (plus the stack trace only from a debug enclave). Encoded as two length-prefixed UTF-8 strings.
/// </summary>
internal readonly record struct RemoteError(EnclaveStatus Status, string Type, string Message)
{
    private const int MaxTextBytes = 64 * 1024;

    /// <summary>Describes an exception thrown by an ECALL or OCALL implementation or by the runtime.</summary>
    public static RemoteError From(Exception exception, bool includeStackTrace)
    {
        EnclaveStatus status = exception is SecGearException s ? s.Status : EnclaveStatus.EcallFailed;
        string message = includeStackTrace ? $"{exception.Message}{Environment.NewLine}{exception.StackTrace}" : exception.Message;
        // An ECALL error the trusted runtime withheld already names the type that was thrown (EcallErrorDisclosure).
        string type = exception is EcallFailedException withheld ? withheld.RemoteType : exception.GetType().FullName ?? exception.GetType().Name;
        return new RemoteError(status, type, Truncate(message));
    }

    public static RemoteError Decode(int status, ReadOnlySpan<byte> payload)
    {
        var reader = new WireReader(payload);
        string type = reader.ReadUtf8String(MaxTextBytes) ?? "";
        string message = reader.ReadUtf8String(MaxTextBytes) ?? "";
        reader.EnsureEnd();
        return new RemoteError(Enum.IsDefined((EnclaveStatus)status) ? (EnclaveStatus)status : EnclaveStatus.EcallFailed, type, message);
    }

    public void Encode(WireBuffer buffer)
    {
        buffer.WriteUtf8String(Type);
        buffer.WriteUtf8String(Message);
    }

    /// <summary>
    /// The host's exception for an ECALL that failed in the enclave: runtime refusals keep their type; anything an
    /// implementation threw becomes <see cref="EcallFailedException"/> naming the remote type.
    /// </summary>
    public SecGearException ToHostException() => Status switch
    {
        EnclaveStatus.InvalidMarshalling => new MarshalException(Message),
        EnclaveStatus.CallNotAllowed when Type == typeof(CallNotAllowedException).FullName => new CallNotAllowedException(Message),
        EnclaveStatus.ContractNotFound when Type == typeof(ContractNotFoundException).FullName => new ContractNotFoundException(Message),
        EnclaveStatus.ContractMismatch when Type == typeof(ContractMismatchException).FullName => new ContractMismatchException(Message),
        EnclaveStatus.PayloadTooLarge when Type == typeof(PayloadTooLargeException).FullName => new PayloadTooLargeException(Message),
        EnclaveStatus.SharedMemoryInvalid when Type == typeof(SharedMemoryException).FullName => new SharedMemoryException(Message),
        EnclaveStatus.NotSupported when Type == typeof(EnclaveNotSupportedException).FullName => new EnclaveNotSupportedException(Message),
        _ => new EcallFailedException(Type, Message),
    };

    /// <summary>The enclave's exception at the call site of an OCALL whose host implementation failed.</summary>
    public SecGearException ToEnclaveException(string ocallName) => Status switch
    {
        EnclaveStatus.InvalidMarshalling => new MarshalException($"OCALL '{ocallName}': {Message}"),
        EnclaveStatus.PayloadTooLarge when Type == typeof(PayloadTooLargeException).FullName => new PayloadTooLargeException(Message),
        _ => new OcallFailedException(ocallName, Type, Message),
    };

    private static string Truncate(string text) =>
        System.Text.Encoding.UTF8.GetByteCount(text) <= MaxTextBytes ? text : text[..(MaxTextBytes / 4)];
}
