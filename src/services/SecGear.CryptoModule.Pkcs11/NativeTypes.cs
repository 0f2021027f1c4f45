using System.Runtime.InteropServices;
using System.Text;

namespace SecGear.CryptoModule.Pkcs11;

#pragma warning disable SA1307, IDE1006, SA1600 // Field names and layout mirror pkcs11t.h (LP64: CK_ULONG is 8 bytes, natural alignment).

/// <summary>CK_VERSION.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct CkVersion
{
    public byte Major;
    public byte Minor;
}

/// <summary>CK_INFO.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct CkInfo
{
    public CkVersion CryptokiVersion;
    public fixed byte ManufacturerId[32];
    public ulong Flags;
    public fixed byte LibraryDescription[32];
    public CkVersion LibraryVersion;
}

/// <summary>CK_SLOT_INFO.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct CkSlotInfo
{
    public fixed byte SlotDescription[64];
    public fixed byte ManufacturerId[32];
    public ulong Flags;
    public CkVersion HardwareVersion;
    public CkVersion FirmwareVersion;
}

/// <summary>CK_TOKEN_INFO.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct CkTokenInfo
{
    public fixed byte Label[32];
    public fixed byte ManufacturerId[32];
    public fixed byte Model[16];
    public fixed byte SerialNumber[16];
    public ulong Flags;
    public ulong MaxSessionCount;
    public ulong SessionCount;
    public ulong MaxRwSessionCount;
    public ulong RwSessionCount;
    public ulong MaxPinLen;
    public ulong MinPinLen;
    public ulong TotalPublicMemory;
    public ulong FreePublicMemory;
    public ulong TotalPrivateMemory;
    public ulong FreePrivateMemory;
    public CkVersion HardwareVersion;
    public CkVersion FirmwareVersion;
    public fixed byte UtcTime[16];
}

/// <summary>CK_SESSION_INFO.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct CkSessionInfo
{
    public ulong SlotId;
    public ulong State;
    public ulong Flags;
    public ulong DeviceError;
}

/// <summary>CK_MECHANISM_INFO.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct CkMechanismInfo
{
    public ulong MinKeySize;
    public ulong MaxKeySize;
    public ulong Flags;
}

/// <summary>CK_MECHANISM.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct CkMechanism
{
    public ulong Mechanism;
    public void* Parameter;
    public ulong ParameterLen;
}

/// <summary>CK_ATTRIBUTE.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct CkAttribute
{
    public ulong Type;
    public void* Value;
    public ulong ValueLen;
}

/// <summary>CK_GCM_PARAMS (v2.40, with ulIvBits).</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct CkGcmParams
{
    public byte* Iv;
    public ulong IvLen;
    public ulong IvBits;
    public byte* Aad;
    public ulong AadLen;
    public ulong TagBits;
}

/// <summary>CK_RSA_PKCS_PSS_PARAMS.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct CkRsaPssParams
{
    public ulong HashAlg;
    public ulong Mgf;
    public ulong SaltLen;
}

/// <summary>CK_RSA_PKCS_OAEP_PARAMS.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct CkRsaOaepParams
{
    public ulong HashAlg;
    public ulong Mgf;
    public ulong Source;
    public void* SourceData;
    public ulong SourceDataLen;
}

/// <summary>CK_C_INITIALIZE_ARGS.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct CkInitializeArgs
{
    public void* CreateMutex;
    public void* DestroyMutex;
    public void* LockMutex;
    public void* UnlockMutex;
    public ulong Flags;
    public void* Reserved;
}

#pragma warning restore SA1307, IDE1006, SA1600

/// <summary>PKCS#11 text fields: blank-padded, not NUL-terminated.</summary>
internal static unsafe class Padded
{
    public static void Write(byte* destination, int size, string text)
    {
        var span = new Span<byte>(destination, size);
        span.Fill((byte)' ');
        Encoding.ASCII.GetBytes(text.AsSpan(0, Math.Min(text.Length, size)), span);
    }
}
