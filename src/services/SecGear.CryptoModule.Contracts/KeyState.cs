namespace SecGear.CryptoModule;

/// <summary>A key's life-cycle state.</summary>
public enum KeyState
{
    /// <summary>Usable.</summary>
    Enabled = 1,

    /// <summary>Refused for every operation until enabled again.</summary>
    Disabled = 2,

    /// <summary>Its wrapped material was erased from the store; refused for good.</summary>
    Destroyed = 3,
}
