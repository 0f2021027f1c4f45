using System;

namespace SecGear.Generator;

/// <summary>Which side of the boundary generated code is for.</summary>
[Flags]
public enum EdlSide
{
    /// <summary>Nothing is generated (the file only serves imports).</summary>
    None = 0,

    /// <summary>The untrusted host: ECALL proxy, OCALL interface and handler.</summary>
    Host = 1,

    /// <summary>The enclave: ECALL interface, factory and dispatcher, OCALL proxy.</summary>
    Enclave = 2,

    /// <summary>Both sides (one assembly holds both, e.g. tests and the in-process engine).</summary>
    Both = Host | Enclave,
}
