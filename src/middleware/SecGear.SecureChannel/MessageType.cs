namespace SecGear.SecureChannel;

/// <summary>The type byte of a frame.</summary>
internal enum MessageType : byte
{
    ClientHello = 1,
    ServerHello = 2,
    ClientKey = 3,
    ServerFinished = 4,
    Record = 5,
    Close = 6,
    Alert = 7,
}
