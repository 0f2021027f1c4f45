using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace SecGear.CryptoModule.Pkcs11;

/// <summary>
/// The module's state and the logic of every supported PKCS#11 function, in managed types. The exports
/// (<see cref="Exports"/>) marshal pointers and turn exceptions into CK_RVs. One lock guards the tables; calls to the
/// management service run outside it.
/// </summary>
internal static class Token
{
    private static readonly Lock Gate = new();
    private static readonly Dictionary<ulong, Session> Sessions = [];

    /// <summary>Session objects of closed sessions, with the credential to destroy them (guarded by <see cref="Gate"/>).</summary>
    private static readonly List<(string Credential, string KeyId)> Doomed = [];
    private static ModuleConnection? s_connection;
    private static List<Slot>? s_slots;
    private static ulong s_nextHandle = 1;

    public static void Initialize()
    {
        lock (Gate)
        {
            if (s_slots is not null)
            {
                throw new CkrException(Ck.CKR_CRYPTOKI_ALREADY_INITIALIZED, "already initialized");
            }

            var settings = ModuleSettings.Load();
            s_connection = new ModuleConnection(settings.Url);
            s_slots = [.. settings.Tenants.Select(t => new Slot(t))];
        }
    }

    public static void Shutdown()
    {
        lock (Gate)
        {
            RequireInitialized();
            foreach (var session in Sessions.Values.ToList())
            {
                EndSession(session);
            }

            DestroySessionObjects();
            s_connection?.Dispose();
            s_connection = null;
            s_slots = null;
        }
    }

    public static IReadOnlyList<Slot> Slots
    {
        get
        {
            lock (Gate)
            {
                return RequireInitialized();
            }
        }
    }

    public static Slot SlotAt(ulong slotId)
    {
        var slots = Slots;
        return slotId < (ulong)slots.Count ? slots[(int)slotId] : throw new CkrException(Ck.CKR_SLOT_ID_INVALID, $"no slot {slotId}");
    }

    public static int SessionCount(int slot, bool readWriteOnly)
    {
        lock (Gate)
        {
            return Sessions.Values.Count(s => s.Slot == slot && (!readWriteOnly || s.ReadWrite));
        }
    }

    public static ulong OpenSession(ulong slotId, ulong flags)
    {
        SlotAt(slotId);
        if ((flags & Ck.CKF_SERIAL_SESSION) == 0)
        {
            throw new CkrException(Ck.CKR_SESSION_PARALLEL_NOT_SUPPORTED, "CKF_SERIAL_SESSION must be set");
        }

        lock (Gate)
        {
            ulong handle = s_nextHandle++;
            Sessions[handle] = new Session(handle, (int)slotId, (flags & Ck.CKF_RW_SESSION) != 0);
            return handle;
        }
    }

    public static void CloseSession(ulong handle)
    {
        lock (Gate)
        {
            RequireInitialized();
            var session = Sessions.GetValueOrDefault(handle) ?? throw new CkrException(Ck.CKR_SESSION_HANDLE_INVALID, "no such session");
            EndSession(session);
            if (!Sessions.Values.Any(s => s.Slot == session.Slot))
            {
                // The last session of a token closed: PKCS#11 logs the application out.
                s_slots![session.Slot].Credential = null;
            }
        }

        DestroySessionObjects();
    }

    public static void CloseAllSessions(ulong slotId)
    {
        var slot = SlotAt(slotId);
        lock (Gate)
        {
            foreach (var session in Sessions.Values.Where(s => s.Slot == (int)slotId).ToList())
            {
                EndSession(session);
            }

            slot.Credential = null;
        }

        DestroySessionObjects();
    }

    /// <summary>Removes a session and its session objects from the tables; their module keys are queued for destruction (under the gate).</summary>
    private static void EndSession(Session session)
    {
        Sessions.Remove(session.Handle);
        var slot = s_slots![session.Slot];
        foreach (var owned in slot.Objects.Values.Where(o => o.OwnerSession == session.Handle).ToList())
        {
            slot.Objects.Remove(owned.Handle);
            slot.Handles.Remove((owned.Key.Id, owned.Class));
            if (slot.Credential is { } credential && !Doomed.Contains((credential, owned.Key.Id)))
            {
                Doomed.Add((credential, owned.Key.Id));
            }
        }
    }

    /// <summary>
    /// Destroys the module keys of closed sessions' objects, outside the gate. Best effort: a key the module cannot
    /// destroy now (unreachable) stays in the tenant's store under its <c>p11s-</c> id, listed by no token.
    /// </summary>
    private static void DestroySessionObjects()
    {
        List<(string Credential, string KeyId)> doomed;
        ModuleConnection? connection;
        lock (Gate)
        {
            doomed = [.. Doomed];
            Doomed.Clear();
            connection = s_connection;
        }

        foreach (var (credential, keyId) in doomed)
        {
            try
            {
                connection?.Send<object, object>(credential, HttpMethod.Delete, CryptoModuleRoutes.Key(keyId), null, null, null);
            }
            catch (CkrException)
            {
                // Left behind (see above); the session is closed either way.
            }
        }
    }

    public static Session SessionOf(ulong handle)
    {
        lock (Gate)
        {
            RequireInitialized();
            return Sessions.GetValueOrDefault(handle) ?? throw new CkrException(Ck.CKR_SESSION_HANDLE_INVALID, "no such session");
        }
    }

    public static void Login(ulong sessionHandle, ulong userType, string pin)
    {
        var session = SessionOf(sessionHandle);
        var slot = Slots[session.Slot];
        if (userType == Ck.CKU_SO)
        {
            // Tenants are created by the module's administrator over its API, not through the token.
            throw new CkrException(Ck.CKR_USER_TYPE_INVALID, "this token has no security officer");
        }

        if (userType is not (Ck.CKU_USER or Ck.CKU_CONTEXT_SPECIFIC))
        {
            throw new CkrException(Ck.CKR_USER_TYPE_INVALID, $"user type {userType}");
        }

        if (slot.Credential is not null && userType == Ck.CKU_USER)
        {
            throw new CkrException(Ck.CKR_USER_ALREADY_LOGGED_IN, "already logged in");
        }

        if (pin.Length is 0 or > 256)
        {
            throw new CkrException(Ck.CKR_PIN_LEN_RANGE, "the PIN is the tenant credential");
        }

        string credential = pin.StartsWith(slot.Tenant + ".", StringComparison.Ordinal) ? pin : $"{slot.Tenant}.{pin}";
        // Proves the credential with a harmless authenticated call.
        Connection.Send<object, KeyList>(credential, HttpMethod.Get, CryptoModuleRoutes.Keys, null, null, CryptoModuleJson.Default.KeyList,
            code => code == CryptoModuleErrorCodes.Unauthenticated ? Ck.CKR_PIN_INCORRECT : ModuleConnection.MapCode(code));
        slot.Credential = credential;
    }

    public static void Logout(ulong sessionHandle)
    {
        var slot = Slots[SessionOf(sessionHandle).Slot];
        if (slot.Credential is null)
        {
            throw new CkrException(Ck.CKR_USER_NOT_LOGGED_IN, "not logged in");
        }

        slot.Credential = null;
    }

    public static string CredentialOf(Session session) =>
        Slots[session.Slot].Credential ?? throw new CkrException(Ck.CKR_USER_NOT_LOGGED_IN, "log in with the tenant credential first");

    public static ModuleConnection Connection
    {
        get
        {
            lock (Gate)
            {
                RequireInitialized();
                return s_connection!;
            }
        }
    }

    /// <summary>Reloads the slot's objects from the module (new keys appear, destroyed ones go).</summary>
    public static void Refresh(Session session)
    {
        var slot = Slots[session.Slot];
        string? credential = slot.Credential;
        if (credential is null)
        {
            return;
        }

        var keys = Connection.Send<object, KeyList>(credential, HttpMethod.Get, CryptoModuleRoutes.Keys, null, null, CryptoModuleJson.Default.KeyList);
        lock (Gate)
        {
            var live = new HashSet<(string, ulong)>();
            foreach (var key in keys.Keys.Where(k => k.State == KeyState.Enabled && TokenObject.Supports(k.Spec)))
            {
                if (key.Id.StartsWith(TokenObject.SessionKeyPrefix, StringComparison.Ordinal) && !slot.Handles.Keys.Any(h => h.KeyId == key.Id))
                {
                    // Another application's (or a crashed one's) session object: not on this token.
                    continue;
                }

                foreach (ulong objectClass in TokenObject.ClassesOf(key.Spec))
                {
                    live.Add((key.Id, objectClass));
                    Track(slot, key, objectClass);
                }
            }

            foreach (var stale in slot.Handles.Where(h => !live.Contains(h.Key)).ToList())
            {
                slot.Handles.Remove(stale.Key);
                slot.Objects.Remove(stale.Value);
            }
        }
    }

    /// <summary>Adds (or updates) the object of one side of a key and returns it.</summary>
    public static TokenObject Track(Slot slot, KeyInfo key, ulong objectClass, Session? owner = null, byte[]? givenId = null)
    {
        lock (Gate)
        {
            if (slot.Handles.TryGetValue((key.Id, objectClass), out ulong existing))
            {
                slot.Objects[existing].Key = key;
                return slot.Objects[existing];
            }

            var tokenObject = new TokenObject(s_nextHandle++, objectClass, key) { OwnerSession = owner?.Handle, GivenId = givenId };
            slot.Handles[(key.Id, objectClass)] = tokenObject.Handle;
            slot.Objects[tokenObject.Handle] = tokenObject;
            return tokenObject;
        }
    }

    public static TokenObject ObjectOf(Session session, ulong handle, ulong invalid = Ck.CKR_OBJECT_HANDLE_INVALID)
    {
        lock (Gate)
        {
            return Slots[session.Slot].Objects.GetValueOrDefault(handle) ?? throw new CkrException(invalid, $"no object {handle}");
        }
    }

    public static void Forget(Session session, string keyId)
    {
        lock (Gate)
        {
            var slot = Slots[session.Slot];
            foreach (var entry in slot.Handles.Where(h => h.Key.KeyId == keyId).ToList())
            {
                slot.Handles.Remove(entry.Key);
                slot.Objects.Remove(entry.Value);
            }
        }
    }

    /// <summary>Objects matching a template (every given attribute equal).</summary>
    public static List<ulong> Find(Session session, IReadOnlyList<(ulong Type, byte[] Value)> template)
    {
        Refresh(session);
        lock (Gate)
        {
            var matches = new List<ulong>();
            foreach (var tokenObject in Slots[session.Slot].Objects.Values.OrderBy(o => o.Handle))
            {
                bool all = true;
                foreach (var (type, value) in template)
                {
                    byte[]? actual;
                    try
                    {
                        actual = tokenObject.Attribute(type);
                    }
                    catch (CkrException)
                    {
                        actual = null;
                    }

                    if (actual is null || !Same(type, actual, value))
                    {
                        all = false;
                        break;
                    }
                }

                if (all)
                {
                    matches.Add(tokenObject.Handle);
                }
            }

            return matches;
        }
    }

    /// <summary>Local digests (keyless; no reason to cross to the module).</summary>
    public static byte[] Digest(ulong mechanism, byte[] data) => mechanism switch
    {
        Ck.CKM_SHA256 => SHA256.HashData(data),
        Ck.CKM_SHA384 => SHA384.HashData(data),
        Ck.CKM_SHA512 => SHA512.HashData(data),
        Ck.CKM_SHA_1 => SHA1.HashData(data),
        Ck.CKM_SECGEAR_SM3 => Sm3(data),
        _ => throw new CkrException(Ck.CKR_MECHANISM_INVALID, $"digest mechanism 0x{mechanism:x}"),
    };

    public static int DigestSize(ulong mechanism) => mechanism switch
    {
        Ck.CKM_SHA256 => 32,
        Ck.CKM_SHA384 => 48,
        Ck.CKM_SHA512 => 64,
        Ck.CKM_SHA_1 => 20,
        Ck.CKM_SECGEAR_SM3 => 32,
        _ => throw new CkrException(Ck.CKR_MECHANISM_INVALID, $"digest mechanism 0x{mechanism:x}"),
    };

    /// <summary>SM3 (GB/T 32905) with BouncyCastle: a digest needs no key, so like SHA-2 it runs in the caller's process.</summary>
    private static byte[] Sm3(byte[] data)
    {
        var sm3 = new Org.BouncyCastle.Crypto.Digests.SM3Digest();
        sm3.BlockUpdate(data, 0, data.Length);
        byte[] digest = new byte[32];
        sm3.DoFinal(digest, 0);
        return digest;
    }

    private static bool Same(ulong type, byte[] actual, byte[] wanted)
    {
        // CK_BBOOL and CK_ULONG values may come with other widths from some callers; compare numerically.
        if (actual.Length == 1 && wanted.Length >= 1 && type is not (Ck.CKA_ID or Ck.CKA_LABEL))
        {
            return (actual[0] != 0) == wanted.Any(b => b != 0);
        }

        if (actual.Length == 8 && wanted.Length is 4 or 8 && type is Ck.CKA_CLASS or Ck.CKA_KEY_TYPE or Ck.CKA_VALUE_LEN or Ck.CKA_MODULUS_BITS)
        {
            ulong want = wanted.Length == 8 ? BinaryPrimitives.ReadUInt64LittleEndian(wanted) : BinaryPrimitives.ReadUInt32LittleEndian(wanted);
            return BinaryPrimitives.ReadUInt64LittleEndian(actual) == want;
        }

        return actual.AsSpan().SequenceEqual(wanted);
    }

    private static List<Slot> RequireInitialized() =>
        s_slots ?? throw new CkrException(Ck.CKR_CRYPTOKI_NOT_INITIALIZED, "C_Initialize first");

    public static string Utf8(byte[] bytes) => Encoding.UTF8.GetString(bytes);
}
