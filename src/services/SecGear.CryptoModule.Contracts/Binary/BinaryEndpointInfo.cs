namespace SecGear.CryptoModule.Binary;

/// <summary>Where the binary transport listens (<see cref="CryptoModuleRoutes.Transports"/>); the host is the HTTP API's.</summary>
/// <param name="BinaryPort">The TCP port, or null when the module runs without the binary transport.</param>
public sealed record BinaryEndpointInfo(int? BinaryPort);
