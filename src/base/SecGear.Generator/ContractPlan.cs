using System.Collections.Generic;
using SecGear.Edl.Model;

namespace SecGear.Generator;

/// <summary>
/// Everything the emitters need, decided once by <see cref="ContractPlanner"/>: the C# names of the generated types,
/// the functions with their parameter plans, and the EDL types with their members' C# types.
/// </summary>
internal sealed class ContractPlan
{
    public ContractPlan(
        EdlContract contract,
        string ns,
        IReadOnlyList<FunctionPlan> ecalls,
        IReadOnlyList<FunctionPlan> ocalls,
        IReadOnlyList<StructPlan> structs,
        IReadOnlyList<KeyValuePair<string, int>> foreignTypes)
    {
        Contract = contract;
        Namespace = ns;
        Prefix = Naming.Pascal(contract.Name);
        Ecalls = ecalls;
        Ocalls = ocalls;
        Structs = structs;
        ForeignTypes = foreignTypes;
    }

    public EdlContract Contract { get; }

    /// <summary>The EDL contract name (the file name without extension).</summary>
    public string Name => Contract.Name;

    /// <summary>The namespace of the generated types, as C# source spells it.</summary>
    public string Namespace { get; }

    /// <summary>PascalCase contract name that prefixes every generated type.</summary>
    public string Prefix { get; }

    public IReadOnlyList<FunctionPlan> Ecalls { get; }

    public IReadOnlyList<FunctionPlan> Ocalls { get; }

    public IReadOnlyList<StructPlan> Structs { get; }

    /// <summary>Foreign types with a known size (name, bytes), sorted by name: opaque fixed-size structs.</summary>
    public IReadOnlyList<KeyValuePair<string, int>> ForeignTypes { get; }

    public string ContractClass => Prefix + "Contract";

    public string Proxy => Prefix + "Proxy";

    public string OcallsInterface => "I" + Prefix + "Ocalls";

    public string OcallHandler => Prefix + "OcallHandler";

    public string EcallsInterface => "I" + Prefix + "Ecalls";

    public string EcallFactory => Prefix + "EcallFactory";

    public string EcallDispatcher => Prefix + "EcallDispatcher";

    public string OcallProxy => Prefix + "OcallProxy";

    /// <summary>Every type name the generator itself claims, before EDL types claim theirs.</summary>
    public static string[] GeneratedTypes(string prefix) =>
        new[]
        {
            prefix + "Contract", prefix + "Proxy", "I" + prefix + "Ocalls", prefix + "OcallHandler", "I" + prefix + "Ecalls",
            prefix + "EcallFactory", prefix + "EcallDispatcher", prefix + "OcallProxy",
        };

    /// <summary>A generated type's name qualified with <c>global::</c> and the namespace.</summary>
    public string Qualified(string typeName) => "global::" + Namespace + "." + typeName;
}
