namespace SecGear.CryptoModule.Storage;

/// <summary>The store is unreachable, locked or failed; nothing was written.</summary>
public sealed class StorageUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
