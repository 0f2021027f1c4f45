using System.Text.Json;
using System.Text.Json.Serialization;

namespace SecGear.CryptoModule;

/// <summary>
/// Source-generated JSON for every body of the API: camelCase, enums as their names, byte arrays as base64. Used by
/// the service, the client and the NativeAOT PKCS#11 module (where reflection-based JSON is unavailable).
/// </summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    UseStringEnumConverter = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    AllowOutOfOrderMetadataProperties = true)]
[JsonSerializable(typeof(CreateTenantRequest))]
[JsonSerializable(typeof(TenantCreated))]
[JsonSerializable(typeof(TenantList))]
[JsonSerializable(typeof(CreateKeyRequest))]
[JsonSerializable(typeof(KeyInfo))]
[JsonSerializable(typeof(KeyList))]
[JsonSerializable(typeof(SignRequest))]
[JsonSerializable(typeof(SignResponse))]
[JsonSerializable(typeof(VerifyRequest))]
[JsonSerializable(typeof(VerifyResponse))]
[JsonSerializable(typeof(EncryptRequest))]
[JsonSerializable(typeof(EncryptResponse))]
[JsonSerializable(typeof(DecryptRequest))]
[JsonSerializable(typeof(DecryptResponse))]
[JsonSerializable(typeof(MacRequest))]
[JsonSerializable(typeof(MacResponse))]
[JsonSerializable(typeof(MacVerifyRequest))]
[JsonSerializable(typeof(DataKeyRequest))]
[JsonSerializable(typeof(DataKeyResponse))]
[JsonSerializable(typeof(DigestRequest))]
[JsonSerializable(typeof(DigestResponse))]
[JsonSerializable(typeof(RandomRequest))]
[JsonSerializable(typeof(RandomResponse))]
[JsonSerializable(typeof(ModuleAttestation))]
[JsonSerializable(typeof(KeyImportParameters))]
[JsonSerializable(typeof(ImportKeyRequest))]
[JsonSerializable(typeof(ImportKeyVersionRequest))]
[JsonSerializable(typeof(AuditList))]
[JsonSerializable(typeof(ProblemBody))]
[JsonSerializable(typeof(Binary.BinaryEndpointInfo))]
public sealed partial class CryptoModuleJson : JsonSerializerContext;
