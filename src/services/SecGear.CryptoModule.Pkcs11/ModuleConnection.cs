using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using SecGear.CryptoModule.Binary;

namespace SecGear.CryptoModule.Pkcs11;

/// <summary>
/// Synchronous JSON calls to the management service (PKCS#11 is a blocking API), with the source-generated contract
/// (no reflection under NativeAOT). Problem codes become CK_RVs.
/// </summary>
internal sealed class ModuleConnection(Uri baseUrl) : IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler { ConnectCallback = ConnectAsync }) { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(60) };

    /// <summary>
    /// Connects on the calling thread. The default connect runs its failure path on a thread-pool worker, where a
    /// refused connection crashed the host process under NativeAOT (seen with pkcs11-tool); a synchronous connect keeps
    /// the failure a plain exception on the PKCS#11 caller's thread, which the export turns into CKR_DEVICE_REMOVED.
    /// </summary>
    private static ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp) { NoDelay = true };
        try
        {
            socket.Connect(context.DnsEndPoint.Host, context.DnsEndPoint.Port);
            return ValueTask.FromResult<Stream>(new System.Net.Sockets.NetworkStream(socket, ownsSocket: true));
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private readonly Lock _binaryLock = new();
    private BinaryPool? _binary;
    private bool _binaryChecked;

    /// <summary>
    /// The binary transport's connections, or null when the module runs without it (then the JSON routes serve every
    /// operation). Asked once per module load.
    /// </summary>
    public BinaryPool? Binary
    {
        get
        {
            lock (_binaryLock)
            {
                if (!_binaryChecked)
                {
                    var info = Send<object, BinaryEndpointInfo>(null, HttpMethod.Get, CryptoModuleRoutes.Transports, null, null, CryptoModuleJson.Default.BinaryEndpointInfo);
                    _binary = info.BinaryPort is > 0 and <= 65535 ? new BinaryPool(baseUrl.Host, info.BinaryPort.Value) : null;
                    _binaryChecked = true;
                }

                return _binary;
            }
        }
    }

    /// <summary>
    /// Runs a key operation over the binary transport; a refusal becomes a <see cref="CkrException"/> through
    /// <paramref name="mapCode"/> (default <see cref="MapCode"/>), like the JSON routes' problem codes.
    /// </summary>
    public BinaryResult Run(BinaryPool pool, string credential, BinaryOperation operation, Func<string, ulong>? mapCode = null)
    {
        var result = pool.Run(credential, operation);
        return result.Ok ? result : throw new CkrException(mapCode?.Invoke(result.Code!) ?? MapCode(result.Code!), result.Detail ?? result.Code!);
    }

    public TResponse Send<TRequest, TResponse>(string? credential, HttpMethod method, string path, TRequest? body,
        JsonTypeInfo<TRequest>? requestType, JsonTypeInfo<TResponse>? responseType, Func<string, ulong>? mapCode = null)
    {
        using var message = new HttpRequestMessage(method, path.TrimStart('/'));
        if (credential is not null)
        {
            message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", credential);
        }

        if (body is not null && requestType is not null)
        {
            message.Content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body, requestType));
            message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        HttpResponseMessage response;
        try
        {
            response = _http.Send(message);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            throw new CkrException(Ck.CKR_DEVICE_REMOVED, $"the crypto module at {baseUrl} is unreachable: {ex.Message}");
        }

        using (response)
        {
            using var stream = response.Content.ReadAsStream();
            if (!response.IsSuccessStatusCode)
            {
                ProblemBody? problem = null;
                try
                {
                    problem = JsonSerializer.Deserialize(stream, CryptoModuleJson.Default.ProblemBody);
                }
                catch (JsonException)
                {
                    // Not a problem body.
                }

                string code = problem?.Code ?? string.Empty;
                throw new CkrException(mapCode?.Invoke(code) ?? MapCode(code), problem?.Detail ?? $"HTTP {(int)response.StatusCode}");
            }

            if (responseType is null)
            {
                return default!;
            }

            try
            {
                return JsonSerializer.Deserialize(stream, responseType) ?? throw new JsonException("null body");
            }
            catch (JsonException ex)
            {
                throw new CkrException(Ck.CKR_DEVICE_ERROR, $"the module's answer does not match the contract: {ex.Message}");
            }
        }
    }

    /// <summary>The CK_RV for a problem code of a key operation.</summary>
    public static ulong MapCode(string code) => code switch
    {
        CryptoModuleErrorCodes.Unauthenticated => Ck.CKR_USER_NOT_LOGGED_IN,
        CryptoModuleErrorCodes.KeyNotFound or CryptoModuleErrorCodes.KeyDestroyed or CryptoModuleErrorCodes.KeyVersionNotFound => Ck.CKR_KEY_HANDLE_INVALID,
        CryptoModuleErrorCodes.KeyDisabled or CryptoModuleErrorCodes.WrongKeyUsage => Ck.CKR_KEY_FUNCTION_NOT_PERMITTED,
        CryptoModuleErrorCodes.UnsupportedAlgorithm => Ck.CKR_KEY_TYPE_INCONSISTENT,
        CryptoModuleErrorCodes.InvalidInput or CryptoModuleErrorCodes.PayloadTooLarge => Ck.CKR_DATA_LEN_RANGE,
        CryptoModuleErrorCodes.InvalidCiphertext => Ck.CKR_ENCRYPTED_DATA_INVALID,
        CryptoModuleErrorCodes.MalformedRequest => Ck.CKR_ARGUMENTS_BAD,
        CryptoModuleErrorCodes.AlreadyExists => Ck.CKR_TEMPLATE_INCONSISTENT,
        CryptoModuleErrorCodes.StorageUnavailable or CryptoModuleErrorCodes.EnclaveUnavailable => Ck.CKR_DEVICE_ERROR,
        _ => Ck.CKR_FUNCTION_FAILED,
    };

    public static string Utf8(ReadOnlySpan<byte> bytes) => Encoding.UTF8.GetString(bytes);

    public void Dispose()
    {
        _binary?.Dispose();
        _http.Dispose();
    }
}
