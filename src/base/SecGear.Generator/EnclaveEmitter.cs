namespace SecGear.Generator;

/// <summary>
/// Writes <c>{Prefix}.Enclave.g.cs</c>: the ECALL interface the enclave implements, the factory the trusted runtime
/// finds through the assembly attribute, the ECALL dispatcher, and the OCALL proxy.
/// </summary>
internal static class EnclaveEmitter
{
    public static string Emit(ContractPlan plan)
    {
        string name = Code.C(plan.Name);
        string ocallProxies = Code.Block(System.Linq.Enumerable.Select(plan.Ocalls, f => StubEmitter.ProxyMethods(plan, f, "OcallIds")), 4);
        return Code.Tidy($$"""
            {{Code.Header}}
            [assembly: {{Code.Abi}}EnclaveContract(typeof({{plan.Qualified(plan.EcallFactory)}}))]

            namespace {{plan.Namespace}};

            /// <summary>The ECALLs of contract {{name}} (private ones included): the enclave implements them. Spans are private copies, valid only during the call.</summary>
            public interface {{plan.EcallsInterface}}
            {
                {{StubEmitter.InterfaceMethods(plan.Ecalls)}}
            }

            /// <summary>Creates the ECALL dispatcher of contract {{name}} around the enclave's <see cref="{{plan.EcallsInterface}}"/>.</summary>
            public sealed class {{plan.EcallFactory}} : {{Code.Abi}}IEcallFactory
            {
                /// <summary>The enclave's view of the contract.</summary>
                public {{Code.Abi}}ContractDescriptor Contract => {{plan.Qualified(plan.ContractClass)}}.Descriptor;

                /// <summary>The interface an implementation must have.</summary>
                public global::System.Type EcallInterface => typeof({{plan.EcallsInterface}});

                /// <summary>Wraps <paramref name="implementation"/>, which must implement <see cref="{{plan.EcallsInterface}}"/>.</summary>
                public {{Code.Abi}}IEcallHandler Create(object implementation)
                {
                    if (implementation is not {{plan.EcallsInterface}} typed)
                    {
                        throw new global::System.ArgumentException("The implementation must implement {{plan.EcallsInterface}}.", nameof(implementation));
                    }

                    return new {{plan.EcallDispatcher}}(typed);
                }
            }

            /// <summary>The ECALL table of contract {{name}}: deserialises hostile requests, calls the implementation, serialises results.</summary>
            internal sealed class {{plan.EcallDispatcher}} : {{Code.Abi}}IEcallHandler
            {
                private readonly {{plan.EcallsInterface}} _implementation;

                internal {{plan.EcallDispatcher}}({{plan.EcallsInterface}} implementation)
                {
                    _implementation = implementation;
                }

                /// <summary>The enclave's view of the contract.</summary>
                public {{Code.Abi}}ContractDescriptor Contract => {{plan.Qualified(plan.ContractClass)}}.Descriptor;

                {{Code.Block([StubEmitter.Dispatch(plan, plan.Ecalls, "ECALL")], 4)}}
            }

            /// <summary>Enclave-side proxy for the OCALLs of contract {{name}}.</summary>
            public sealed partial class {{plan.OcallProxy}}
            {
                private readonly {{Code.Abi}}IOcallChannel _channel;

                /// <summary>Makes OCALLs through <paramref name="channel"/> (from the trusted runtime).</summary>
                public {{plan.OcallProxy}}({{Code.Abi}}IOcallChannel channel)
                {
                    _channel = channel ?? throw new global::System.ArgumentNullException(nameof(channel));
                }
                {{ocallProxies}}
            }
            """);
    }
}
