namespace SecGear.Edl;

/// <summary>The order in which import search paths (<c>-I</c>) are tried.</summary>
public enum EdlImportOrder
{
    /// <summary>Intel edger8r: the most recently given search path first.</summary>
    LastFirst,

    /// <summary>Open Enclave oeedger8r: the first given search path first.</summary>
    FirstFirst,
}
