using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace SecGear.CryptoModule.Pkcs11;

/// <summary>
/// The exported C ABI: <c>C_GetFunctionList</c> plus the CK_FUNCTION_LIST it hands out. Every entry point catches
/// every exception (one escaping a native export would abort the host process) and answers a CK_RV.
/// </summary>
internal static unsafe class Exports
{
    private const int FunctionCount = 68;
    private static void* s_functionList;

    [UnmanagedCallersOnly(EntryPoint = "C_GetFunctionList", CallConvs = [typeof(CallConvCdecl)])]
    public static ulong GetFunctionList(void** list)
    {
        try
        {
            if (list is null)
            {
                return Ck.CKR_ARGUMENTS_BAD;
            }

            *list = FunctionList();
            return Ck.CKR_OK;
        }
        catch (Exception ex)
        {
            return Fail(ex);
        }
    }

    private static void* FunctionList()
    {
        if (s_functionList is not null)
        {
            return s_functionList;
        }

        // CK_FUNCTION_LIST: CK_VERSION (2.40), padded to 8, then 68 function pointers in the standard's order.
        var table = (byte*)NativeMemory.AllocZeroed((nuint)(8 + (FunctionCount * 8)));
        table[0] = 2;
        table[1] = 40;
        var f = (void**)(table + 8);
        delegate* unmanaged[Cdecl]<ulong> notSupported = &NotSupported;
        for (int i = 0; i < FunctionCount; i++)
        {
            f[i] = notSupported;
        }

        f[0] = (delegate* unmanaged[Cdecl]<CkInitializeArgs*, ulong>)&Initialize;
        f[1] = (delegate* unmanaged[Cdecl]<void*, ulong>)&FinalizeModule;
        f[2] = (delegate* unmanaged[Cdecl]<CkInfo*, ulong>)&GetInfo;
        f[3] = (delegate* unmanaged[Cdecl]<void**, ulong>)&GetFunctionList;
        f[4] = (delegate* unmanaged[Cdecl]<byte, ulong*, ulong*, ulong>)&GetSlotList;
        f[5] = (delegate* unmanaged[Cdecl]<ulong, CkSlotInfo*, ulong>)&GetSlotInfo;
        f[6] = (delegate* unmanaged[Cdecl]<ulong, CkTokenInfo*, ulong>)&GetTokenInfo;
        f[7] = (delegate* unmanaged[Cdecl]<ulong, ulong*, ulong*, ulong>)&GetMechanismList;
        f[8] = (delegate* unmanaged[Cdecl]<ulong, ulong, CkMechanismInfo*, ulong>)&GetMechanismInfo;
        f[9] = (delegate* unmanaged[Cdecl]<ulong>)&WriteProtected;   // C_InitToken
        f[10] = (delegate* unmanaged[Cdecl]<ulong>)&WriteProtected;  // C_InitPIN
        f[11] = (delegate* unmanaged[Cdecl]<ulong>)&WriteProtected;  // C_SetPIN
        f[12] = (delegate* unmanaged[Cdecl]<ulong, ulong, void*, void*, ulong*, ulong>)&OpenSession;
        f[13] = (delegate* unmanaged[Cdecl]<ulong, ulong>)&CloseSession;
        f[14] = (delegate* unmanaged[Cdecl]<ulong, ulong>)&CloseAllSessions;
        f[15] = (delegate* unmanaged[Cdecl]<ulong, CkSessionInfo*, ulong>)&GetSessionInfo;
        f[18] = (delegate* unmanaged[Cdecl]<ulong, ulong, byte*, ulong, ulong>)&Login;
        f[19] = (delegate* unmanaged[Cdecl]<ulong, ulong>)&Logout;
        f[22] = (delegate* unmanaged[Cdecl]<ulong, ulong, ulong>)&DestroyObject;
        f[24] = (delegate* unmanaged[Cdecl]<ulong, ulong, CkAttribute*, ulong, ulong>)&GetAttributeValue;
        f[25] = (delegate* unmanaged[Cdecl]<ulong>)&ActionProhibited;  // C_SetAttributeValue: attributes are fixed at creation
        f[26] = (delegate* unmanaged[Cdecl]<ulong, CkAttribute*, ulong, ulong>)&FindObjectsInit;
        f[27] = (delegate* unmanaged[Cdecl]<ulong, ulong*, ulong, ulong*, ulong>)&FindObjects;
        f[28] = (delegate* unmanaged[Cdecl]<ulong, ulong>)&FindObjectsFinal;
        f[29] = (delegate* unmanaged[Cdecl]<ulong, CkMechanism*, ulong, ulong>)&EncryptInit;
        f[30] = (delegate* unmanaged[Cdecl]<ulong, byte*, ulong, byte*, ulong*, ulong>)&Encrypt;
        f[31] = (delegate* unmanaged[Cdecl]<ulong, byte*, ulong, byte*, ulong*, ulong>)&EncryptUpdate;
        f[32] = (delegate* unmanaged[Cdecl]<ulong, byte*, ulong*, ulong>)&EncryptFinal;
        f[33] = (delegate* unmanaged[Cdecl]<ulong, CkMechanism*, ulong, ulong>)&DecryptInit;
        f[34] = (delegate* unmanaged[Cdecl]<ulong, byte*, ulong, byte*, ulong*, ulong>)&Decrypt;
        f[35] = (delegate* unmanaged[Cdecl]<ulong, byte*, ulong, byte*, ulong*, ulong>)&DecryptUpdate;
        f[36] = (delegate* unmanaged[Cdecl]<ulong, byte*, ulong*, ulong>)&DecryptFinal;
        f[37] = (delegate* unmanaged[Cdecl]<ulong, CkMechanism*, ulong>)&DigestInit;
        f[38] = (delegate* unmanaged[Cdecl]<ulong, byte*, ulong, byte*, ulong*, ulong>)&Digest;
        f[39] = (delegate* unmanaged[Cdecl]<ulong, byte*, ulong, ulong>)&DigestUpdate;
        f[41] = (delegate* unmanaged[Cdecl]<ulong, byte*, ulong*, ulong>)&DigestFinal;
        f[42] = (delegate* unmanaged[Cdecl]<ulong, CkMechanism*, ulong, ulong>)&SignInit;
        f[43] = (delegate* unmanaged[Cdecl]<ulong, byte*, ulong, byte*, ulong*, ulong>)&Sign;
        f[44] = (delegate* unmanaged[Cdecl]<ulong, byte*, ulong, ulong>)&SignUpdate;
        f[45] = (delegate* unmanaged[Cdecl]<ulong, byte*, ulong*, ulong>)&SignFinal;
        f[48] = (delegate* unmanaged[Cdecl]<ulong, CkMechanism*, ulong, ulong>)&VerifyInit;
        f[49] = (delegate* unmanaged[Cdecl]<ulong, byte*, ulong, byte*, ulong, ulong>)&Verify;
        f[50] = (delegate* unmanaged[Cdecl]<ulong, byte*, ulong, ulong>)&VerifyUpdate;
        f[51] = (delegate* unmanaged[Cdecl]<ulong, byte*, ulong, ulong>)&VerifyFinal;
        f[58] = (delegate* unmanaged[Cdecl]<ulong, CkMechanism*, CkAttribute*, ulong, ulong*, ulong>)&GenerateKey;
        f[59] = (delegate* unmanaged[Cdecl]<ulong, CkMechanism*, CkAttribute*, ulong, CkAttribute*, ulong, ulong*, ulong*, ulong>)&GenerateKeyPair;
        f[63] = (delegate* unmanaged[Cdecl]<ulong>)&SeedRandom;
        f[64] = (delegate* unmanaged[Cdecl]<ulong, byte*, ulong, ulong>)&GenerateRandom;
        f[65] = (delegate* unmanaged[Cdecl]<ulong>)&NotParallel;  // C_GetFunctionStatus
        f[66] = (delegate* unmanaged[Cdecl]<ulong>)&NotParallel;  // C_CancelFunction
        s_functionList = table;
        return table;
    }

    // A function pointer with fewer parameters than the caller passes is safe under the SysV x86-64 ABI (the caller
    // owns the stack), so one body serves every unsupported function.
    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static ulong NotSupported() => Ck.CKR_FUNCTION_NOT_SUPPORTED;

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static ulong WriteProtected() => Ck.CKR_TOKEN_WRITE_PROTECTED;

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static ulong ActionProhibited() => Ck.CKR_ACTION_PROHIBITED;

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static ulong NotParallel() => Ck.CKR_FUNCTION_NOT_PARALLEL;

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static ulong SeedRandom() => Ck.CKR_RANDOM_SEED_NOT_SUPPORTED;

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static ulong Initialize(CkInitializeArgs* args)
    {
        try
        {
            if (args is not null && args->Reserved is not null)
            {
                return Ck.CKR_ARGUMENTS_BAD;
            }

            // Our own locks are OS locks, so any combination of CKF_OS_LOCKING_OK and mutex callbacks is served.
            SelfPin.Pin((delegate* unmanaged[Cdecl]<void**, ulong>)&GetFunctionList);
            Token.Initialize();
            return Ck.CKR_OK;
        }
        catch (Exception ex)
        {
            return Fail(ex);
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static ulong FinalizeModule(void* reserved)
    {
        try
        {
            if (reserved is not null)
            {
                return Ck.CKR_ARGUMENTS_BAD;
            }

            Token.Shutdown();
            return Ck.CKR_OK;
        }
        catch (Exception ex)
        {
            return Fail(ex);
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static ulong GetInfo(CkInfo* info)
    {
        try
        {
            _ = Token.Slots;
            if (info is null)
            {
                return Ck.CKR_ARGUMENTS_BAD;
            }

            *info = default;
            info->CryptokiVersion = new CkVersion { Major = 2, Minor = 40 };
            Padded.Write(info->ManufacturerId, 32, "SecGear.NET");
            Padded.Write(info->LibraryDescription, 32, "SecGear TEE crypto module");
            info->LibraryVersion = new CkVersion { Major = 1, Minor = 0 };
            return Ck.CKR_OK;
        }
        catch (Exception ex)
        {
            return Fail(ex);
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static ulong GetSlotList(byte tokenPresent, ulong* slotList, ulong* count)
    {
        try
        {
            var slots = Token.Slots;
            if (count is null)
            {
                return Ck.CKR_ARGUMENTS_BAD;
            }

            if (slotList is null)
            {
                *count = (ulong)slots.Count;
                return Ck.CKR_OK;
            }

            if (*count < (ulong)slots.Count)
            {
                *count = (ulong)slots.Count;
                return Ck.CKR_BUFFER_TOO_SMALL;
            }

            for (int i = 0; i < slots.Count; i++)
            {
                slotList[i] = (ulong)i;
            }

            *count = (ulong)slots.Count;
            return Ck.CKR_OK;
        }
        catch (Exception ex)
        {
            return Fail(ex);
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static ulong GetSlotInfo(ulong slotId, CkSlotInfo* info)
    {
        try
        {
            var slot = Token.SlotAt(slotId);
            if (info is null)
            {
                return Ck.CKR_ARGUMENTS_BAD;
            }

            *info = default;
            Padded.Write(info->SlotDescription, 64, $"SecGear crypto module tenant {slot.Tenant}");
            Padded.Write(info->ManufacturerId, 32, "SecGear.NET");
            info->Flags = Ck.CKF_TOKEN_PRESENT | Ck.CKF_HW_SLOT;
            info->HardwareVersion = new CkVersion { Major = 1 };
            info->FirmwareVersion = new CkVersion { Major = 1 };
            return Ck.CKR_OK;
        }
        catch (Exception ex)
        {
            return Fail(ex);
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static ulong GetTokenInfo(ulong slotId, CkTokenInfo* info)
    {
        try
        {
            var slot = Token.SlotAt(slotId);
            if (info is null)
            {
                return Ck.CKR_ARGUMENTS_BAD;
            }

            *info = default;
            Padded.Write(info->Label, 32, slot.Tenant);
            Padded.Write(info->ManufacturerId, 32, "SecGear.NET");
            Padded.Write(info->Model, 16, "TEE module");
            Padded.Write(info->SerialNumber, 16, Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(slot.Tenant)))[..16]);
            info->Flags = Ck.CKF_RNG | Ck.CKF_LOGIN_REQUIRED | Ck.CKF_USER_PIN_INITIALIZED | Ck.CKF_TOKEN_INITIALIZED;
            // CK_EFFECTIVELY_INFINITE (0): sessions are table entries, not a scarce resource.
            info->MaxSessionCount = 0;
            info->MaxRwSessionCount = 0;
            info->SessionCount = (ulong)Token.SessionCount((int)slotId, false);
            info->RwSessionCount = (ulong)Token.SessionCount((int)slotId, true);
            info->MaxPinLen = 256;
            info->MinPinLen = 1;
            info->TotalPublicMemory = info->FreePublicMemory = info->TotalPrivateMemory = info->FreePrivateMemory = Ck.UnavailableInformation;
            info->HardwareVersion = new CkVersion { Major = 1 };
            info->FirmwareVersion = new CkVersion { Major = 1 };
            Padded.Write(info->UtcTime, 16, string.Empty);
            return Ck.CKR_OK;
        }
        catch (Exception ex)
        {
            return Fail(ex);
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static ulong GetMechanismList(ulong slotId, ulong* list, ulong* count)
    {
        try
        {
            Token.SlotAt(slotId);
            if (count is null)
            {
                return Ck.CKR_ARGUMENTS_BAD;
            }

            ulong n = (ulong)Crypto.Mechanisms.Length;
            if (list is null)
            {
                *count = n;
                return Ck.CKR_OK;
            }

            if (*count < n)
            {
                *count = n;
                return Ck.CKR_BUFFER_TOO_SMALL;
            }

            for (int i = 0; i < Crypto.Mechanisms.Length; i++)
            {
                list[i] = Crypto.Mechanisms[i];
            }

            *count = n;
            return Ck.CKR_OK;
        }
        catch (Exception ex)
        {
            return Fail(ex);
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static ulong GetMechanismInfo(ulong slotId, ulong mechanism, CkMechanismInfo* info)
    {
        try
        {
            Token.SlotAt(slotId);
            if (info is null)
            {
                return Ck.CKR_ARGUMENTS_BAD;
            }

            var (min, max, flags) = Crypto.MechanismInfo(mechanism);
            *info = new CkMechanismInfo { MinKeySize = min, MaxKeySize = max, Flags = flags };
            return Ck.CKR_OK;
        }
        catch (Exception ex)
        {
            return Fail(ex);
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static ulong OpenSession(ulong slotId, ulong flags, void* application, void* notify, ulong* session)
    {
        try
        {
            if (session is null)
            {
                return Ck.CKR_ARGUMENTS_BAD;
            }

            *session = Token.OpenSession(slotId, flags);
            return Ck.CKR_OK;
        }
        catch (Exception ex)
        {
            return Fail(ex);
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static ulong CloseSession(ulong session)
    {
        try
        {
            Token.CloseSession(session);
            return Ck.CKR_OK;
        }
        catch (Exception ex)
        {
            return Fail(ex);
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static ulong CloseAllSessions(ulong slotId)
    {
        try
        {
            Token.CloseAllSessions(slotId);
            return Ck.CKR_OK;
        }
        catch (Exception ex)
        {
            return Fail(ex);
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static ulong GetSessionInfo(ulong handle, CkSessionInfo* info)
    {
        try
        {
            var session = Token.SessionOf(handle);
            if (info is null)
            {
                return Ck.CKR_ARGUMENTS_BAD;
            }

            bool user = Token.Slots[session.Slot].Credential is not null;
            *info = new CkSessionInfo
            {
                SlotId = (ulong)session.Slot,
                State = session.ReadWrite ? (user ? Ck.CKS_RW_USER_FUNCTIONS : Ck.CKS_RW_PUBLIC_SESSION) : (user ? Ck.CKS_RO_USER_FUNCTIONS : Ck.CKS_RO_PUBLIC_SESSION),
                Flags = Ck.CKF_SERIAL_SESSION | (session.ReadWrite ? Ck.CKF_RW_SESSION : 0),
            };
            return Ck.CKR_OK;
        }
        catch (Exception ex)
        {
            return Fail(ex);
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static ulong Login(ulong session, ulong userType, byte* pin, ulong pinLength)
    {
        try
        {
            if (pin is null || pinLength > 256)
            {
                return pin is null ? Ck.CKR_ARGUMENTS_BAD : Ck.CKR_PIN_LEN_RANGE;
            }

            Token.Login(session, userType, Encoding.UTF8.GetString(pin, (int)pinLength));
            return Ck.CKR_OK;
        }
        catch (Exception ex)
        {
            return Fail(ex);
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static ulong Logout(ulong session)
    {
        try
        {
            Token.Logout(session);
            return Ck.CKR_OK;
        }
        catch (Exception ex)
        {
            return Fail(ex);
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static ulong DestroyObject(ulong handle, ulong objectHandle)
    {
        try
        {
            var session = Token.SessionOf(handle);
            string credential = Token.CredentialOf(session);
            if (!session.ReadWrite)
            {
                return Ck.CKR_SESSION_READ_ONLY;
            }

            var tokenObject = Token.ObjectOf(session, objectHandle);
            // Either side of a key pair stands for the key: destroying it destroys the key in the module.
            Token.Connection.Send<object, object>(credential, HttpMethod.Delete, CryptoModuleRoutes.Key(tokenObject.Key.Id), null, null, null);
            Token.Forget(session, tokenObject.Key.Id);
            return Ck.CKR_OK;
        }
        catch (Exception ex)
        {
            return Fail(ex);
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static ulong GetAttributeValue(ulong handle, ulong objectHandle, CkAttribute* template, ulong count)
    {
        try
        {
            var session = Token.SessionOf(handle);
            if (template is null && count > 0)
            {
                return Ck.CKR_ARGUMENTS_BAD;
            }

            var tokenObject = Token.ObjectOf(session, objectHandle);
            ulong rv = Ck.CKR_OK;
            for (ulong i = 0; i < count; i++)
            {
                var attribute = &template[i];
                byte[]? value;
                try
                {
                    value = tokenObject.Attribute(attribute->Type);
                }
                catch (CkrException ex) when (ex.Rv == Ck.CKR_ATTRIBUTE_SENSITIVE)
                {
                    attribute->ValueLen = Ck.UnavailableInformation;
                    rv = rv == Ck.CKR_OK ? Ck.CKR_ATTRIBUTE_SENSITIVE : rv;
                    continue;
                }

                if (value is null)
                {
                    attribute->ValueLen = Ck.UnavailableInformation;
                    rv = rv == Ck.CKR_OK ? Ck.CKR_ATTRIBUTE_TYPE_INVALID : rv;
                }
                else if (attribute->Value is null)
                {
                    attribute->ValueLen = (ulong)value.Length;
                }
                else if (attribute->ValueLen < (ulong)value.Length)
                {
                    attribute->ValueLen = Ck.UnavailableInformation;
                    rv = rv == Ck.CKR_OK ? Ck.CKR_BUFFER_TOO_SMALL : rv;
                }
                else
                {
                    value.CopyTo(new Span<byte>(attribute->Value, value.Length));
                    attribute->ValueLen = (ulong)value.Length;
                }
            }

            return rv;
        }
        catch (Exception ex)
        {
            return Fail(ex);
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static ulong FindObjectsInit(ulong handle, CkAttribute* template, ulong count)
    {
        try
        {
            var session = Token.SessionOf(handle);
            if (session.FindResults is not null)
            {
                return Ck.CKR_OPERATION_ACTIVE;
            }

            if (template is null && count > 0)
            {
                return Ck.CKR_ARGUMENTS_BAD;
            }

            session.FindResults = Token.Find(session, ReadTemplate(template, count));
            session.FindPosition = 0;
            return Ck.CKR_OK;
        }
        catch (Exception ex)
        {
            return Fail(ex);
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static ulong FindObjects(ulong handle, ulong* objects, ulong max, ulong* found)
    {
        try
        {
            var session = Token.SessionOf(handle);
            if (session.FindResults is not { } results)
            {
                return Ck.CKR_OPERATION_NOT_INITIALIZED;
            }

            if (found is null || (objects is null && max > 0))
            {
                return Ck.CKR_ARGUMENTS_BAD;
            }

            ulong n = 0;
            while (n < max && session.FindPosition < results.Count)
            {
                objects[n++] = results[session.FindPosition++];
            }

            *found = n;
            return Ck.CKR_OK;
        }
        catch (Exception ex)
        {
            return Fail(ex);
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static ulong FindObjectsFinal(ulong handle)
    {
        try
        {
            var session = Token.SessionOf(handle);
            if (session.FindResults is null)
            {
                return Ck.CKR_OPERATION_NOT_INITIALIZED;
            }

            session.FindResults = null;
            return Ck.CKR_OK;
        }
        catch (Exception ex)
        {
            return Fail(ex);
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static ulong SignInit(ulong handle, CkMechanism* mechanism, ulong key) => Begin(handle, mechanism, key, OperationKind.Sign);

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static ulong Sign(ulong handle, byte* data, ulong dataLength, byte* signature, ulong* signatureLength)
    {
        Session? session = null;
        try
        {
            session = Token.SessionOf(handle);
            var operation = session.Active(OperationKind.Sign);
            if ((data is null && dataLength > 0) || signatureLength is null)
            {
                throw new CkrException(Ck.CKR_ARGUMENTS_BAD, "null data or length");
            }

            // Single-part: the data is exactly this call's. A size query (null signature) comes back with the same data,
            // which must not be appended a second time.
            operation.Data.SetLength(0);
            operation.Data.Write(new ReadOnlySpan<byte>(data, (int)dataLength));
            return FinishSign(session, operation, signature, signatureLength);
        }
        catch (Exception ex)
        {
            return EndOnFailure(session, OperationKind.Sign, ex);
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static ulong SignUpdate(ulong handle, byte* part, ulong partLength) => Update(handle, part, partLength, OperationKind.Sign);

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static ulong SignFinal(ulong handle, byte* signature, ulong* signatureLength)
    {
        Session? session = null;
        try
        {
            session = Token.SessionOf(handle);
            var operation = session.Active(OperationKind.Sign);
            if (signatureLength is null)
            {
                throw new CkrException(Ck.CKR_ARGUMENTS_BAD, "null length");
            }

            return FinishSign(session, operation, signature, signatureLength);
        }
        catch (Exception ex)
        {
            return EndOnFailure(session, OperationKind.Sign, ex);
        }
    }

    private static ulong FinishSign(Session session, Operation operation, byte* signature, ulong* signatureLength)
    {
        int size = operation.Key!.SignatureSize;
        if (signature is null)
        {
            *signatureLength = (ulong)size;
            return Ck.CKR_OK;
        }

        if (*signatureLength < (ulong)size)
        {
            *signatureLength = (ulong)size;
            return Ck.CKR_BUFFER_TOO_SMALL;
        }

        byte[] result = Crypto.Sign(Token.CredentialOf(session), operation, operation.Data.ToArray());
        result.CopyTo(new Span<byte>(signature, result.Length));
        *signatureLength = (ulong)result.Length;
        session.Sign = null;
        return Ck.CKR_OK;
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static ulong VerifyInit(ulong handle, CkMechanism* mechanism, ulong key) => Begin(handle, mechanism, key, OperationKind.Verify);

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static ulong Verify(ulong handle, byte* data, ulong dataLength, byte* signature, ulong signatureLength)
    {
        Session? session = null;
        try
        {
            session = Token.SessionOf(handle);
            var operation = session.Active(OperationKind.Verify);
            Append(operation, data, dataLength);
            return FinishVerify(session, operation, signature, signatureLength);
        }
        catch (Exception ex)
        {
            return EndOnFailure(session, OperationKind.Verify, ex);
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static ulong VerifyUpdate(ulong handle, byte* part, ulong partLength) => Update(handle, part, partLength, OperationKind.Verify);

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static ulong VerifyFinal(ulong handle, byte* signature, ulong signatureLength)
    {
        Session? session = null;
        try
        {
            session = Token.SessionOf(handle);
            var operation = session.Active(OperationKind.Verify);
            return FinishVerify(session, operation, signature, signatureLength);
        }
        catch (Exception ex)
        {
            return EndOnFailure(session, OperationKind.Verify, ex);
        }
    }

    private static ulong FinishVerify(Session session, Operation operation, byte* signature, ulong signatureLength)
    {
        session.Verify = null;
        if (signature is null || signatureLength > 4096)
        {
            return signature is null ? Ck.CKR_ARGUMENTS_BAD : Ck.CKR_SIGNATURE_LEN_RANGE;
        }

        bool valid = Crypto.Verify(Token.CredentialOf(session), operation, operation.Data.ToArray(), new ReadOnlySpan<byte>(signature, (int)signatureLength).ToArray());
        return valid ? Ck.CKR_OK : Ck.CKR_SIGNATURE_INVALID;
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static ulong EncryptInit(ulong handle, CkMechanism* mechanism, ulong key) => Begin(handle, mechanism, key, OperationKind.Encrypt);

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static ulong DecryptInit(ulong handle, CkMechanism* mechanism, ulong key) => Begin(handle, mechanism, key, OperationKind.Decrypt);

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static ulong Encrypt(ulong handle, byte* data, ulong dataLength, byte* output, ulong* outputLength) =>
        CipherOnce(handle, data, dataLength, output, outputLength, encrypting: true);

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static ulong Decrypt(ulong handle, byte* data, ulong dataLength, byte* output, ulong* outputLength) =>
        CipherOnce(handle, data, dataLength, output, outputLength, encrypting: false);

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static ulong EncryptUpdate(ulong handle, byte* part, ulong partLength, byte* output, ulong* outputLength) =>
        CipherUpdate(handle, part, partLength, outputLength, encrypting: true);

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static ulong DecryptUpdate(ulong handle, byte* part, ulong partLength, byte* output, ulong* outputLength) =>
        CipherUpdate(handle, part, partLength, outputLength, encrypting: false);

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static ulong EncryptFinal(ulong handle, byte* output, ulong* outputLength) => CipherFinal(handle, output, outputLength, encrypting: true);

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static ulong DecryptFinal(ulong handle, byte* output, ulong* outputLength) => CipherFinal(handle, output, outputLength, encrypting: false);

    private static ulong CipherOnce(ulong handle, byte* data, ulong dataLength, byte* output, ulong* outputLength, bool encrypting)
    {
        Session? session = null;
        try
        {
            session = Token.SessionOf(handle);
            var operation = session.Active(encrypting ? OperationKind.Encrypt : OperationKind.Decrypt);
            if (outputLength is null)
            {
                throw new CkrException(Ck.CKR_ARGUMENTS_BAD, "null length");
            }

            if (operation.Result is null)
            {
                // A size query runs nothing twice: the data is taken once, the result kept for the real call.
                operation.Data.SetLength(0);
                Append(operation, data, dataLength);
            }

            return CipherOutput(session, operation, output, outputLength, encrypting);
        }
        catch (Exception ex)
        {
            return EndOnFailure(session, encrypting ? OperationKind.Encrypt : OperationKind.Decrypt, ex);
        }
    }

    private static ulong CipherUpdate(ulong handle, byte* part, ulong partLength, ulong* outputLength, bool encrypting)
    {
        Session? session = null;
        try
        {
            session = Token.SessionOf(handle);
            var operation = session.Active(encrypting ? OperationKind.Encrypt : OperationKind.Decrypt);
            if (outputLength is null)
            {
                throw new CkrException(Ck.CKR_ARGUMENTS_BAD, "null length");
            }

            // The module works on whole messages (GCM authenticates all of it): parts are gathered, output comes at Final.
            Append(operation, part, partLength);
            *outputLength = 0;
            return Ck.CKR_OK;
        }
        catch (Exception ex)
        {
            return EndOnFailure(session, encrypting ? OperationKind.Encrypt : OperationKind.Decrypt, ex);
        }
    }

    private static ulong CipherFinal(ulong handle, byte* output, ulong* outputLength, bool encrypting)
    {
        Session? session = null;
        try
        {
            session = Token.SessionOf(handle);
            var operation = session.Active(encrypting ? OperationKind.Encrypt : OperationKind.Decrypt);
            if (outputLength is null)
            {
                throw new CkrException(Ck.CKR_ARGUMENTS_BAD, "null length");
            }

            return CipherOutput(session, operation, output, outputLength, encrypting);
        }
        catch (Exception ex)
        {
            return EndOnFailure(session, encrypting ? OperationKind.Encrypt : OperationKind.Decrypt, ex);
        }
    }

    private static ulong CipherOutput(Session session, Operation operation, byte* output, ulong* outputLength, bool encrypting)
    {
        if (encrypting && operation.Result is null && output is null)
        {
            *outputLength = (ulong)Crypto.EncryptedSize(operation, (int)operation.Data.Length);
            return Ck.CKR_OK;
        }

        string credential = Token.CredentialOf(session);
        operation.Result ??= encrypting
            ? Crypto.Encrypt(credential, operation, operation.Data.ToArray())
            : Crypto.Decrypt(credential, operation, operation.Data.ToArray());
        byte[] result = operation.Result;
        if (output is null)
        {
            *outputLength = (ulong)result.Length;
            return Ck.CKR_OK;
        }

        if (*outputLength < (ulong)result.Length)
        {
            *outputLength = (ulong)result.Length;
            return Ck.CKR_BUFFER_TOO_SMALL;
        }

        result.CopyTo(new Span<byte>(output, result.Length));
        *outputLength = (ulong)result.Length;
        if (encrypting)
        {
            session.Encrypt = null;
        }
        else
        {
            session.Decrypt = null;
        }

        return Ck.CKR_OK;
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static ulong DigestInit(ulong handle, CkMechanism* mechanism) => Begin(handle, mechanism, 0, OperationKind.Digest);

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static ulong Digest(ulong handle, byte* data, ulong dataLength, byte* digest, ulong* digestLength)
    {
        Session? session = null;
        try
        {
            session = Token.SessionOf(handle);
            var operation = session.Active(OperationKind.Digest);
            if (digestLength is null)
            {
                throw new CkrException(Ck.CKR_ARGUMENTS_BAD, "null length");
            }

            if (digest is not null && *digestLength >= (ulong)Token.DigestSize(operation.Mechanism))
            {
                Append(operation, data, dataLength);
            }

            return FinishDigest(session, operation, digest, digestLength);
        }
        catch (Exception ex)
        {
            return EndOnFailure(session, OperationKind.Digest, ex);
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static ulong DigestUpdate(ulong handle, byte* part, ulong partLength) => Update(handle, part, partLength, OperationKind.Digest);

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static ulong DigestFinal(ulong handle, byte* digest, ulong* digestLength)
    {
        Session? session = null;
        try
        {
            session = Token.SessionOf(handle);
            var operation = session.Active(OperationKind.Digest);
            if (digestLength is null)
            {
                throw new CkrException(Ck.CKR_ARGUMENTS_BAD, "null length");
            }

            return FinishDigest(session, operation, digest, digestLength);
        }
        catch (Exception ex)
        {
            return EndOnFailure(session, OperationKind.Digest, ex);
        }
    }

    private static ulong FinishDigest(Session session, Operation operation, byte* digest, ulong* digestLength)
    {
        int size = Token.DigestSize(operation.Mechanism);
        if (digest is null)
        {
            *digestLength = (ulong)size;
            return Ck.CKR_OK;
        }

        if (*digestLength < (ulong)size)
        {
            *digestLength = (ulong)size;
            return Ck.CKR_BUFFER_TOO_SMALL;
        }

        Token.Digest(operation.Mechanism, operation.Data.ToArray()).CopyTo(new Span<byte>(digest, size));
        *digestLength = (ulong)size;
        session.Digest = null;
        return Ck.CKR_OK;
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static ulong GenerateKey(ulong handle, CkMechanism* mechanism, CkAttribute* template, ulong count, ulong* key)
    {
        try
        {
            var session = Token.SessionOf(handle);
            string credential = Token.CredentialOf(session);
            if (mechanism is null || key is null || (template is null && count > 0))
            {
                return Ck.CKR_ARGUMENTS_BAD;
            }

            if (!session.ReadWrite)
            {
                return Ck.CKR_SESSION_READ_ONLY;
            }

            var attributes = ReadTemplate(template, count);
            KeyTemplates.CheckSecrecy(attributes);
            var (spec, usage) = KeyTemplates.SecretSpec(mechanism->Mechanism, attributes);
            var info = KeyTemplates.Create(credential, spec, usage, attributes, []);
            var owner = KeyTemplates.IsSessionObject(attributes, []) ? session : null;
            *key = Token.Track(Token.Slots[session.Slot], info, Ck.CKO_SECRET_KEY, owner, owner is null ? null : KeyTemplates.Find(attributes, Ck.CKA_ID)).Handle;
            return Ck.CKR_OK;
        }
        catch (Exception ex)
        {
            return Fail(ex);
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static ulong GenerateKeyPair(ulong handle, CkMechanism* mechanism, CkAttribute* publicTemplate, ulong publicCount,
        CkAttribute* privateTemplate, ulong privateCount, ulong* publicKey, ulong* privateKey)
    {
        try
        {
            var session = Token.SessionOf(handle);
            string credential = Token.CredentialOf(session);
            if (mechanism is null || publicKey is null || privateKey is null || (publicTemplate is null && publicCount > 0) || (privateTemplate is null && privateCount > 0))
            {
                return Ck.CKR_ARGUMENTS_BAD;
            }

            if (!session.ReadWrite)
            {
                return Ck.CKR_SESSION_READ_ONLY;
            }

            var publicAttributes = ReadTemplate(publicTemplate, publicCount);
            var privateAttributes = ReadTemplate(privateTemplate, privateCount);
            KeyTemplates.CheckSecrecy(privateAttributes);
            var (spec, usage) = KeyTemplates.PairSpec(mechanism->Mechanism, publicAttributes, privateAttributes);
            var info = KeyTemplates.Create(credential, spec, usage, privateAttributes, publicAttributes);
            var slot = Token.Slots[session.Slot];
            var owner = KeyTemplates.IsSessionObject(privateAttributes, publicAttributes) ? session : null;
            byte[]? givenId = owner is null ? null : KeyTemplates.Find(privateAttributes, Ck.CKA_ID) ?? KeyTemplates.Find(publicAttributes, Ck.CKA_ID);
            *privateKey = Token.Track(slot, info, Ck.CKO_PRIVATE_KEY, owner, givenId).Handle;
            *publicKey = Token.Track(slot, info, Ck.CKO_PUBLIC_KEY, owner, givenId).Handle;
            return Ck.CKR_OK;
        }
        catch (Exception ex)
        {
            return Fail(ex);
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static ulong GenerateRandom(ulong handle, byte* output, ulong length)
    {
        try
        {
            var session = Token.SessionOf(handle);
            string credential = Token.CredentialOf(session);
            if (output is null && length > 0)
            {
                return Ck.CKR_ARGUMENTS_BAD;
            }

            ulong done = 0;
            while (done < length)
            {
                int chunk = (int)Math.Min(65536, length - done);
                byte[] bytes = Token.Connection.Send(credential, HttpMethod.Post, CryptoModuleRoutes.Random, new RandomRequest(chunk),
                    CryptoModuleJson.Default.RandomRequest, CryptoModuleJson.Default.RandomResponse).Bytes;
                if (bytes.Length != chunk)
                {
                    return Ck.CKR_DEVICE_ERROR;
                }

                bytes.CopyTo(new Span<byte>(output + done, chunk));
                done += (ulong)chunk;
            }

            return Ck.CKR_OK;
        }
        catch (Exception ex)
        {
            return Fail(ex);
        }
    }

    private static void Append(Operation operation, byte* data, ulong length)
    {
        if (data is null && length > 0)
        {
            throw new CkrException(Ck.CKR_ARGUMENTS_BAD, "null data");
        }

        if (operation.Data.Length + (long)length > 64L * 1024 * 1024)
        {
            throw new CkrException(Ck.CKR_DATA_LEN_RANGE, "more than 64 MiB in one operation");
        }

        operation.Data.Write(new ReadOnlySpan<byte>(data, (int)length));
    }

    private static List<(ulong Type, byte[] Value)> ReadTemplate(CkAttribute* template, ulong count)
    {
        if (count > 256)
        {
            throw new CkrException(Ck.CKR_ARGUMENTS_BAD, "a template of more than 256 attributes");
        }

        var list = new List<(ulong, byte[])>((int)count);
        for (ulong i = 0; i < count; i++)
        {
            var attribute = template[i];
            if (attribute.ValueLen > 1 << 16 || (attribute.Value is null && attribute.ValueLen > 0))
            {
                throw new CkrException(Ck.CKR_ATTRIBUTE_VALUE_INVALID, $"attribute 0x{attribute.Type:x} has a bad value");
            }

            list.Add((attribute.Type, new ReadOnlySpan<byte>(attribute.Value, (int)attribute.ValueLen).ToArray()));
        }

        return list;
    }

    /// <summary>A failed call ends the active operation (PKCS#11 rule), except for a buffer-size answer.</summary>
    /// <summary>A failed call ends its operation (PKCS#11 v2.40 5.2), except a size query answered CKR_BUFFER_TOO_SMALL.</summary>
    private static ulong EndOnFailure(Session? session, OperationKind kind, Exception ex)
    {
        ulong rv = Fail(ex);
        if (session is not null && rv != Ck.CKR_BUFFER_TOO_SMALL)
        {
            session.End(kind);
        }

        return rv;
    }

    /// <summary>
    /// C_SignInit, C_VerifyInit, C_EncryptInit, C_DecryptInit, C_DigestInit: one operation of a kind at a time; key
    /// operations need a logged-in session, a digest does not (it touches no key).
    /// </summary>
    private static ulong Begin(ulong handle, CkMechanism* mechanism, ulong key, OperationKind kind)
    {
        try
        {
            var session = Token.SessionOf(handle);
            if (kind != OperationKind.Digest)
            {
                Token.CredentialOf(session);
            }

            if (mechanism is null)
            {
                return Ck.CKR_ARGUMENTS_BAD;
            }

            if (session.IsActive(kind))
            {
                return Ck.CKR_OPERATION_ACTIVE;
            }

            session.Start(kind, kind switch
            {
                OperationKind.Sign or OperationKind.Verify =>
                    Crypto.SignatureOperation(mechanism, Token.ObjectOf(session, key, Ck.CKR_KEY_HANDLE_INVALID), signing: kind == OperationKind.Sign),
                OperationKind.Encrypt or OperationKind.Decrypt =>
                    Crypto.CipherOperation(mechanism, Token.ObjectOf(session, key, Ck.CKR_KEY_HANDLE_INVALID), encrypting: kind == OperationKind.Encrypt),
                _ => DigestOperation(mechanism->Mechanism),
            });
            return Ck.CKR_OK;
        }
        catch (Exception ex)
        {
            return Fail(ex);
        }
    }

    private static Operation DigestOperation(ulong mechanism)
    {
        Token.DigestSize(mechanism);
        return new Operation(mechanism, null);
    }

    /// <summary>C_SignUpdate, C_VerifyUpdate, C_DigestUpdate: gather the part; the work happens at the final call.</summary>
    private static ulong Update(ulong handle, byte* part, ulong partLength, OperationKind kind)
    {
        Session? session = null;
        try
        {
            session = Token.SessionOf(handle);
            Append(session.Active(kind), part, partLength);
            return Ck.CKR_OK;
        }
        catch (Exception ex)
        {
            return EndOnFailure(session, kind, ex);
        }
    }

    private static ulong Fail(Exception ex)
    {
        if (Debug)
        {
            // The reason of each refusal, for whoever debugs an application (never a key or data: messages name checks).
            Console.Error.WriteLine($"secgear-pkcs11: {(ex is CkrException c ? $"0x{c.Rv:x}" : ex.GetType().Name)}: {ex.Message}");
        }

        return ex switch
        {
            CkrException ckr => ckr.Rv,
            OutOfMemoryException => Ck.CKR_HOST_MEMORY,
            _ => Ck.CKR_GENERAL_ERROR,
        };
    }

    private static bool Debug { get; } = Environment.GetEnvironmentVariable("SECGEAR_PKCS11_DEBUG") == "1";
}
