using System.Collections.Generic;
using System.Linq;

namespace SecGear.Generator;

/// <summary>
/// The stubs both directions share: caller stubs (proxy methods: validate, serialise, call, deserialise) and callee
/// stubs (dispatchers: deserialise a hostile request, call the implementation, serialise the results). ECALLs and
/// OCALLs use the same stubs; only the channel and the id class differ. Each parameter writes its own pieces.
/// </summary>
internal static class StubEmitter
{
    private const string WireBuffer = Code.Abi + "WireBuffer";
    private const string WireReader = Code.Abi + "WireReader";

    /// <summary>The doc remark of a private ECALL's proxy method: the enclave, not the proxy, enforces the rule.</summary>
    private const string PrivateEcallRemark =
        " Private: call it only from an OCALL whose allow list names it; anywhere else the enclave refuses it with"
        + " <see cref=\"global::SecGear.CallNotAllowedException\"/>.";

    /// <summary>The methods of an ECALL or OCALL interface: one per function, with its doc comment.</summary>
    public static string InterfaceMethods(IReadOnlyList<FunctionPlan> functions)
    {
        var methods = new List<string>();
        foreach (FunctionPlan f in functions)
        {
            string scope = f.Edl.IsTrusted && !f.Edl.IsPublic ? " (private: runs only while an OCALL that allows it is in progress)" : string.Empty;
            methods.Add((methods.Count > 0 ? "\n" : string.Empty) + $$"""
                /// <summary>Implements {{f.Kind}} {{Code.C(f.Name)}}{{scope}}.</summary>
                {{f.ReturnName}} {{f.CsName}}{{f.Signature(async: false)}};
                """);
        }

        return Code.Block(methods, 4);
    }

    /// <summary>Public proxy method(s) for one function: sync, plus async for switchless ones.</summary>
    public static string ProxyMethods(ContractPlan plan, FunctionPlan f, string idClass)
    {
        string id = plan.Qualified(plan.ContractClass) + "." + idClass + "." + f.CsName;
        string switchless = f.Edl.Switchless ? " (switchless when the enclave enables it)" : string.Empty;
        string scope = f.Edl.IsTrusted && !f.Edl.IsPublic ? PrivateEcallRemark : string.Empty;
        string sync = $$"""

            /// <summary>Calls {{f.Kind}} {{Code.C(f.Name)}}{{switchless}}.{{scope}}</summary>
            public {{f.ReturnName}} {{f.CsName}}{{f.Signature(async: false)}}
            {
                {{Code.Block([CallerBody(f, id, async: false)], 4)}}
            }
            """;
        if (!f.HasAsync)
        {
            return sync;
        }

        string task = f.ReturnType == null ? "global::System.Threading.Tasks.ValueTask" : "global::System.Threading.Tasks.ValueTask<" + f.ReturnType.Name + ">";
        return sync + "\n" + $$"""

            /// <summary>Calls {{f.Kind}} {{Code.C(f.Name)}} as an asynchronous switchless call. Buffers must stay untouched until it completes.{{scope}}</summary>
            public async {{task}} {{f.CsName}}Async{{f.Signature(async: true)}}
            {
                {{Code.Block([CallerBody(f, id, async: true)], 4)}}
            }
            """;
    }

    /// <summary>The body of a proxy method. The caller's own arguments get ArgumentExceptions; the response is hostile.</summary>
    private static string CallerBody(FunctionPlan f, string id, bool async)
    {
        IReadOnlyList<ParamPlan> ps = f.Parameters;
        string call = async
            ? "await _channel.CallSwitchlessAsync(" + id + ", __request.WrittenMemory, __response, cancellationToken).ConfigureAwait(false);"
            : "_channel." + (f.Edl.Switchless ? "CallSwitchless" : "Call") + "(" + id + ", __request.WrittenSpan, __response);";
        return $$"""
            {{WireBuffer}} __request = {{WireBuffer}}.Rent();
            {{WireBuffer}} __response = {{WireBuffer}}.Rent();
            try
            {
                {{Code.Block(ps.Select(p => p.CallerCheck(async)), 4)}}
                {{Code.Block(ps.Select(p => p.CallerWrite(async)), 4)}}
                {{call}}
                {{WireReader}} __reader = new {{WireReader}}(__response.WrittenSpan);
                {{Code.Block([f.PropagatesErrno ? "int __errno = __reader.ReadInt32();" : null], 4)}}
                {{Code.Block([f.ReturnType == null ? null : f.ReturnType.Name + " __result = " + f.ReturnType.Read("__reader") + ";"], 4)}}
                {{Code.Block(ps.Select(p => p.CallerReadBack(f.Name, async)), 4)}}
                __reader.EnsureEnd();
                {{Code.Block([f.PropagatesErrno ? Code.Abi + "Errno.Value = __errno;" : null], 4)}}
                {{Code.Block([f.ReturnType == null ? null : "return __result;"], 4)}}
            }
            finally
            {
                __request.Return();
                __response.Return();
            }
            """;
    }

    /// <summary>
    /// <c>Dispatch(functionId, request, response)</c>: the id switch of a dispatcher. It serialises straight into the
    /// response when the runtime hands it a WireBuffer (no extra copy), else into a rented one it copies from.
    /// </summary>
    public static string Dispatch(ContractPlan plan, IReadOnlyList<FunctionPlan> functions, string kind)
    {
        var cases = new List<string>();
        foreach (FunctionPlan f in functions)
        {
            cases.Add("case " + Code.Int(f.Edl.Id) + ":\n    Invoke" + f.CsName + "(request, output);\n    break;");
        }

        string summary = "/// <summary>Runs " + kind + " <paramref name=\"functionId\"/>. Every byte of <paramref name=\"request\"/> is treated as hostile.</summary>";
        string signature = "public void Dispatch(int functionId, global::System.ReadOnlySpan<byte> request, global::System.Buffers.IBufferWriter<byte> response)";
        string unknown = "throw new global::SecGear.CallNotAllowedException(\"Contract '" + plan.Name + "' has no " + kind + " with id \" + functionId + \".\");";
        if (functions.Count == 0)
        {
            return summary + "\n" + signature + " =>\n    " + unknown;
        }

        return $$"""
            {{summary}}
            {{signature}}
            {
                {{WireBuffer}}? direct = response as {{WireBuffer}};
                {{WireBuffer}} output = direct ?? {{WireBuffer}}.Rent();
                try
                {
                    switch (functionId)
                    {
                        {{Code.Block(cases, 12)}}
                        default:
                            {{unknown}}
                    }

                    if (direct is null)
                    {
                        global::System.Buffers.BuffersExtensions.Write(response, output.WrittenSpan);
                    }
                }
                finally
                {
                    if (direct is null)
                    {
                        output.Return();
                    }
                }
            }
            {{Code.Block(functions.Select(CalleeMethod), 0)}}
            """;
    }

    /// <summary>A dispatcher method: <c>Invoke{Name}(request, __out)</c>. Every request byte is hostile.</summary>
    private static string CalleeMethod(FunctionPlan f)
    {
        IReadOnlyList<ParamPlan> ps = f.Parameters;
        List<BufferParam> buffers = ps.OfType<BufferParam>().ToList();
        string invoke = "_implementation." + f.CsName + "(" + f.Arguments() + ");";
        string call = $$"""
            {{Code.Block(buffers.Select(b => b.CalleePrepare()), 0)}}
            {{Code.Block([f.PropagatesErrno ? Code.Abi + "Errno.Value = 0;" : null], 0)}}
            {{(f.ReturnType == null ? invoke : f.ReturnType.Name + " __result = " + invoke)}}
            {{Code.Block([f.PropagatesErrno ? "int __errno = " + Code.Abi + "Errno.Value;" : null], 0)}}
            {{Code.Block(ps.Select(p => p.CalleeAfterCall(f.Name)), 0)}}
            {{Code.Block([f.PropagatesErrno ? "__out.WriteInt32(__errno);" : null], 0)}}
            {{Code.Block([f.ReturnType?.Write("__out", "__result")], 0)}}
            {{Code.Block(ps.Select(p => p.CalleeWrite()), 0)}}
            """;

        // [in] data is copied into private memory once; [out] buffers start zero-filled (EDL semantics). The copies
        // go back to the pool cleared, whatever the implementation did.
        string body = buffers.Count == 0 ? call : $$"""
            {{Code.Block(buffers.Select(b => b.CalleeRent()), 0)}}
            try
            {
                {{Code.Block([call], 4)}}
            }
            finally
            {
                {{Code.Block(buffers.Select(b => b.CalleeReturn()), 4)}}
            }
            """;

        return $$"""

            private void Invoke{{f.CsName}}(global::System.ReadOnlySpan<byte> request, {{WireBuffer}} __out)
            {
                {{WireReader}} __reader = new {{WireReader}}(request);
                {{Code.Block(ps.Select(p => p.CalleeRead()), 4)}}
                __reader.EnsureEnd();
                {{Code.Block(ps.Select(p => p.CalleeCheck(f.Name)), 4)}}
                {{Code.Block([body], 4)}}
            }
            """;
    }
}
