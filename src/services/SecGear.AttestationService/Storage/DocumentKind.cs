namespace SecGear.AttestationService.Storage;

/// <summary>The kinds of versioned documents the store keeps (one table, keyed by kind and id).</summary>
public enum DocumentKind
{
    /// <summary>An appraisal policy (<see cref="PolicyDocument"/>).</summary>
    Policy,

    /// <summary>A reference-value set (<see cref="ReferenceValueSet"/>).</summary>
    ReferenceValues,

    /// <summary>A key-broker resource: its policy in the body, its value encrypted in the secret.</summary>
    Resource,
}
