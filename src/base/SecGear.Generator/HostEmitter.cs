using System.Linq;

namespace SecGear.Generator;

/// <summary>Writes <c>{Prefix}.Host.g.cs</c>: the OCALL interface the host implements, its handler, and the ECALL proxy.</summary>
internal static class HostEmitter
{
    public static string Emit(ContractPlan plan)
    {
        string name = Code.C(plan.Name);
        return Code.Tidy($$"""
            {{Code.Header}}
            namespace {{plan.Namespace}};

            /// <summary>The OCALLs of contract {{name}}: the host implements them. Spans are valid only during the call.</summary>
            public interface {{plan.OcallsInterface}}
            {
                {{StubEmitter.InterfaceMethods(plan.Ocalls)}}
            }

            /// <summary>Runs the OCALLs of contract {{name}} on the host: deserialises each request, calls <see cref="{{plan.OcallsInterface}}"/>, serialises the results.</summary>
            public sealed class {{plan.OcallHandler}} : {{Code.Abi}}IOcallHandler
            {
                private readonly {{plan.OcallsInterface}} _implementation;

                /// <summary>Wraps the host's OCALL implementation.</summary>
                public {{plan.OcallHandler}}({{plan.OcallsInterface}} implementation)
                {
                    _implementation = implementation ?? throw new global::System.ArgumentNullException(nameof(implementation));
                }

                {{Code.Block([StubEmitter.Dispatch(plan, plan.Ocalls, "OCALL")], 4)}}
            }

            /// <summary>Host proxy for contract {{name}}: one method per ECALL. A private ECALL's method works only inside an OCALL whose allow list names it; the enclave refuses it anywhere else.</summary>
            public sealed partial class {{plan.Proxy}}
            {
                private readonly {{Code.Abi}}IEnclaveChannel _channel;

                /// <summary>Binds the contract on <paramref name="enclave"/> (which checks the contract hash) and registers the OCALL implementation.</summary>
                public {{plan.Proxy}}({{Code.Abi}}IEnclaveConnection enclave, {{plan.OcallsInterface}}? ocalls)
                {
                    if (enclave is null)
                    {
                        throw new global::System.ArgumentNullException(nameof(enclave));
                    }

                    _channel = enclave.Bind({{plan.Qualified(plan.ContractClass)}}.Descriptor, ocalls is null ? null : new {{plan.OcallHandler}}(ocalls));
                }

                /// <summary>The channel the proxy calls through.</summary>
                public {{Code.Abi}}IEnclaveChannel Channel => _channel;
                {{Code.Block(plan.Ecalls.Select(f => StubEmitter.ProxyMethods(plan, f, "EcallIds")), 4)}}
            }
            """);
    }
}
