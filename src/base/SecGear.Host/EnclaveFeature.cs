namespace SecGear.Host;

/// <summary>
/// An optional engine feature requested at creation (the analogue of secGear's <c>enclave_features_t</c>), such as
/// switchless calls. An engine that does not support a requested feature refuses to create the enclave.
/// </summary>
public abstract class EnclaveFeature
{
    /// <summary>Feature name, for error messages.</summary>
    public abstract string Name { get; }
}
