namespace SecGear.EncryptedDb;

/// <summary>A comparison operator.</summary>
public enum CompareOperator : byte
{
    /// <summary>=</summary>
    Equal = 1,

    /// <summary>&lt;&gt; (or !=)</summary>
    NotEqual = 2,

    /// <summary>&lt;</summary>
    Less = 3,

    /// <summary>&lt;=</summary>
    LessOrEqual = 4,

    /// <summary>&gt;</summary>
    Greater = 5,

    /// <summary>&gt;=</summary>
    GreaterOrEqual = 6,
}
