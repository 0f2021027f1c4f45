namespace SecGear.ConfidentialVm;

/// <summary>
/// A setting of the confidential-VM engine (one of <see cref="ConfidentialVmEnvironment"/>) has a value the engine
/// cannot use; the message names the variable, the value and what is accepted.
/// </summary>
public sealed class ConfidentialVmConfigurationException : SecGearException
{
    /// <summary>Creates the exception for <paramref name="variable"/> set to <paramref name="value"/>.</summary>
    /// <param name="variable">The environment variable.</param>
    /// <param name="value">Its value (never a secret: these variables hold numbers, URLs and paths).</param>
    /// <param name="accepted">What the variable accepts, or what else is needed.</param>
    /// <param name="innerException">The underlying failure, if any.</param>
    public ConfidentialVmConfigurationException(string variable, string? value, string accepted, Exception? innerException = null)
        : base(EnclaveStatus.InvalidArgument, $"{variable} is {(value is null ? "not set" : $"'{value}'")}: {accepted}", innerException)
    {
        Variable = variable;
        Value = value;
    }

    /// <summary>The environment variable at fault.</summary>
    public string Variable { get; }

    /// <summary>Its value; null when it is missing.</summary>
    public string? Value { get; }
}
