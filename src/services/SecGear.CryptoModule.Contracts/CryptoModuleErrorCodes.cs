namespace SecGear.CryptoModule;

/// <summary>
/// Every 4xx/5xx answer of the management service is an RFC 9457 problem (<c>application/problem+json</c>) whose
/// member <see cref="ProblemCodeMember"/> holds one of these codes. Messages name the failed check, never a secret.
/// </summary>
public static class CryptoModuleErrorCodes
{
    /// <summary>Name of the problem extension member carrying the code.</summary>
    public const string ProblemCodeMember = "code";

    /// <summary>400: the body is not valid JSON, or a field is missing or out of range.</summary>
    public const string MalformedRequest = "MalformedRequest";

    /// <summary>413: the body or an input exceeds the configured limit.</summary>
    public const string PayloadTooLarge = "PayloadTooLarge";

    /// <summary>401: no valid tenant credential (or admin key for admin endpoints).</summary>
    public const string Unauthenticated = "Unauthenticated";

    /// <summary>404: the tenant has no key with this id (keys of other tenants are invisible, so also for those).</summary>
    public const string KeyNotFound = "KeyNotFound";

    /// <summary>404: the key has no such version.</summary>
    public const string KeyVersionNotFound = "KeyVersionNotFound";

    /// <summary>409: a tenant or key with this id exists already.</summary>
    public const string AlreadyExists = "AlreadyExists";

    /// <summary>409: the key is disabled (enable it again to use it).</summary>
    public const string KeyDisabled = "KeyDisabled";

    /// <summary>410: the key was destroyed; its material is gone for good.</summary>
    public const string KeyDestroyed = "KeyDestroyed";

    /// <summary>400: the key's usage does not allow this operation (e.g. sign with an encrypt key).</summary>
    public const string WrongKeyUsage = "WrongKeyUsage";

    /// <summary>400: the scheme does not apply to this key spec, or the spec and usage do not go together.</summary>
    public const string UnsupportedAlgorithm = "UnsupportedAlgorithm";

    /// <summary>400: an input is out of range (IV length, data key length, input not block aligned, …).</summary>
    public const string InvalidInput = "InvalidInput";

    /// <summary>400: the ciphertext is malformed, truncated or fails authentication.</summary>
    public const string InvalidCiphertext = "InvalidCiphertext";

    /// <summary>409: another rotation of this key committed first; retry.</summary>
    public const string ConcurrentRotation = "ConcurrentRotation";

    /// <summary>500: the stored key blob did not open inside the enclave (altered store, or another store key).</summary>
    public const string KeyBlobInvalid = "KeyBlobInvalid";

    /// <summary>503: the store is unreachable or busy; nothing was changed.</summary>
    public const string StorageUnavailable = "StorageUnavailable";

    /// <summary>500: an unexpected failure (logged by the service, with no request data).</summary>
    public const string InternalError = "InternalError";

    /// <summary>404: no such route, or not with this method.</summary>
    public const string NotFound = "NotFound";

    /// <summary>503: the binary transport already serves its configured number of connections; retry later or reuse a connection.</summary>
    public const string TooManyConnections = "TooManyConnections";

    /// <summary>503: the enclave is not running or answered out of protocol.</summary>
    public const string EnclaveUnavailable = "EnclaveUnavailable";
}
