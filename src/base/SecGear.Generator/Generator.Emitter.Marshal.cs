using System.Collections.Generic;
using System.Globalization;

namespace SecGear.Generator;

/// <summary>Caller stubs (proxies) and callee stubs (dispatchers); shared by ECALLs and OCALLs.</summary>
internal sealed partial class Emitter
{
    private const string Size = Abi + "WireSize.";
    private const string Marshal = "global::System.Runtime.InteropServices.MemoryMarshal.";
    private const string Pool = "global::System.Buffers.ArrayPool<byte>.Shared";
    private const string MarshalEx = "global::SecGear.MarshalException";

    /// <summary>The C# parameter list; <paramref name="async"/> uses Memory types and adds a cancellation token.</summary>
    private static string Signature(FunctionPlan f, bool async)
    {
        var parts = new List<string>();
        foreach (ParamPlan p in f.Parameters)
        {
            if (p.FoldedInto != null)
            {
                continue;
            }

            parts.Add(ParameterType(p, async) + " " + p.CsName);
        }

        if (async)
        {
            parts.Add("global::System.Threading.CancellationToken cancellationToken = default");
        }

        return "(" + string.Join(", ", parts) + ")";
    }

    private static string ParameterType(ParamPlan p, bool async)
    {
        switch (p.Kind)
        {
            case ParamKind.Value: return p.Type.Name;
            case ParamKind.UserCheck: return "nint";
            case ParamKind.String: return "string?";
            case ParamKind.StringRef: return "ref string?";
            case ParamKind.Buffer: return p.SpanType(async);
            default:
                if (async)
                {
                    return p.Type.Name;
                }

                return (p.In && p.Out ? "ref " : p.Out ? "out " : "in ") + p.Type.Name;
        }
    }

    /// <summary>Arguments for calling an implementation from a dispatcher.</summary>
    private static string Arguments(FunctionPlan f)
    {
        var parts = new List<string>();
        foreach (ParamPlan p in f.Parameters)
        {
            if (p.FoldedInto != null)
            {
                continue;
            }

            switch (p.Kind)
            {
                case ParamKind.StringRef:
                    parts.Add("ref " + p.CsName);
                    break;
                case ParamKind.Buffer:
                    parts.Add("__span_" + p.Local);
                    break;
                case ParamKind.Pointer:
                    parts.Add((p.In && p.Out ? "ref " : p.Out ? "out " : "in ") + p.CsName);
                    break;
                default:
                    parts.Add(p.CsName);
                    break;
            }
        }

        return string.Join(", ", parts);
    }

    /// <summary>The bytes of a span parameter as a byte span.</summary>
    private static string BytesOf(ParamPlan p, bool async)
    {
        string span = async ? p.CsName + ".Span" : p.CsName;
        return p.Type.Kind == WireKind.Byte ? span : Marshal + "AsBytes(" + span + ")";
    }

    private static string Received(bool received) => received ? "true" : "false";

    /// <summary>A <c>size</c>/<c>count</c> value as a ulong expression.</summary>
    private static string SizeValue(Edl.Model.EdlSizeExpr e, List<ParamPlan> all, ParamPlan buffer, bool received)
    {
        if (e.Reference == null)
        {
            return (e.Literal ?? 0).ToString(CultureInfo.InvariantCulture) + "UL";
        }

        ParamPlan target = all.Find(x => x.Name == e.Reference)!;
        if (target.Type.Kind == WireKind.Bool)
        {
            return "(" + target.CsName + " ? 1UL : 0UL)";
        }

        return target.Type.IsSigned
            ? Size + "Count((long)" + target.CsName + ", " + Received(received) + ", " + Naming.Literal(buffer.Name) + ")"
            : "(ulong)" + target.CsName;
    }

    /// <summary>Byte length of a non-folded buffer, from the values of its size/count parameters (Intel's rules).</summary>
    private static string ByteLength(ParamPlan p, List<ParamPlan> all, bool received)
    {
        string r = Received(received);
        string name = Naming.Literal(p.Name);
        string elem = "(ulong)" + p.Type.SizeExpression;
        if (p.FixedElements != 0)
        {
            return Size + "Multiply(" + p.FixedElements.ToString(CultureInfo.InvariantCulture) + "UL, " + elem + ", " + r + ", " + name + ")";
        }

        Edl.Model.EdlSizeExpr? size = p.Edl.Attributes.Size;
        Edl.Model.EdlSizeExpr? count = p.Edl.Attributes.Count;
        if (size != null && count != null)
        {
            return Size + "Multiply(" + SizeValue(size, all, p, received) + ", " + SizeValue(count, all, p, received) + ", " + r + ", " + name + ")";
        }

        if (size != null)
        {
            return SizeValue(size, all, p, received);
        }

        return Size + "Multiply(" + SizeValue(count!, all, p, received) + ", " + elem + ", " + r + ", " + name + ")";
    }

    /// <summary>The body of a proxy method: validates, serialises, calls, deserialises.</summary>
    private void EmitCallerBody(CodeWriter w, FunctionPlan f, string channel, string id, bool async)
    {
        var all = new List<ParamPlan>(f.Parameters);
        string call = async ? "CallSwitchlessAsync" : f.Edl.Switchless ? "CallSwitchless" : "Call";

        w.Line(Abi + "WireBuffer __request = " + Abi + "WireBuffer.Rent();");
        w.Line(Abi + "WireBuffer __response = " + Abi + "WireBuffer.Rent();");
        w.Open("try");
        foreach (ParamPlan p in all)
        {
            if (p.Kind == ParamKind.Buffer)
            {
                w.Line("int __len_" + p.Local + ";");
            }
            else if (p.Kind == ParamKind.StringRef)
            {
                w.Line("int __max_" + p.Local + " = " + p.CsName + " is null ? 0 : " + (p.Wide ? p.CsName + ".Length" : "global::System.Text.Encoding.UTF8.GetByteCount(" + p.CsName + ")") + ";");
            }
        }

        w.Open(string.Empty);
        foreach (ParamPlan p in all)
        {
            if (p.Kind != ParamKind.Buffer)
            {
                continue;
            }

            string bytes = BytesOf(p, async);
            if (p.FoldedSize != null)
            {
                ParamPlan n = p.FoldedSize;
                w.Line("__len_" + p.Local + " = " + bytes + ".Length;");
                string value = p.FoldedIsCount ? p.CsName + ".Length" : "__len_" + p.Local;
                w.Open("if ((ulong)" + value + " > (ulong)" + n.Type.Name + ".MaxValue)");
                w.Line("throw new global::System.ArgumentException(\"'" + p.Name + "' is too long for its " + (p.FoldedIsCount ? "count" : "size") + " parameter '" + n.Name + "' (" + n.Type.Name + ").\", nameof(" + p.CsName + "));");
                w.Close();
                w.Line(n.Type.Name + " " + n.CsName + " = (" + n.Type.Name + ")" + value + ";");
            }
            else
            {
                w.Line("__len_" + p.Local + " = " + Size + "Length(" + ByteLength(p, all, false) + ", " + (p.IsTypedBuffer ? p.Type.SizeExpression : "1") + ", false, " + Naming.Literal(p.Name) + ");");
                w.Open("if (" + bytes + ".Length < __len_" + p.Local + ")");
                w.Line("throw new global::System.ArgumentException(\"'" + p.Name + "' is shorter than the \" + __len_" + p.Local + " + \" bytes its size and count require.\", nameof(" + p.CsName + "));");
                w.Close();
            }
        }

        foreach (ParamPlan p in all)
        {
            switch (p.Kind)
            {
                case ParamKind.Value:
                    w.Line(p.Type.Write("__request", p.CsName));
                    break;
                case ParamKind.UserCheck:
                    w.Line("__request.WriteInt64((long)" + p.CsName + ");");
                    break;
                case ParamKind.String:
                case ParamKind.StringRef:
                    w.Line("__request." + (p.Wide ? "WriteUtf16String(" : "WriteUtf8String(") + p.CsName + ");");
                    break;
                case ParamKind.Buffer:
                    w.Line(p.In
                        ? "__request.WriteBytes(" + BytesOf(p, async) + ".Slice(0, __len_" + p.Local + "));"
                        : "__request.WriteUInt32((uint)__len_" + p.Local + ");");
                    break;
                default:
                    if (p.In)
                    {
                        w.Line(p.Type.Write("__request", p.CsName));
                    }

                    break;
            }
        }

        w.Close();
        if (async)
        {
            w.Line("await " + channel + "." + call + "(" + id + ", __request.WrittenMemory, __response, cancellationToken).ConfigureAwait(false);");
        }
        else
        {
            w.Line(channel + "." + call + "(" + id + ", __request.WrittenSpan, __response);");
        }

        if (f.ReturnType != null)
        {
            w.Line(f.ReturnType.Name + " __result;");
        }

        w.Open(string.Empty);
        w.Line(Abi + "WireReader __reader = new " + Abi + "WireReader(__response.WrittenSpan);");
        bool errno = !f.Edl.IsTrusted && f.Edl.PropagateErrno;
        if (errno)
        {
            w.Line("int __errno = __reader.ReadInt32();");
        }

        if (f.ReturnType != null)
        {
            w.Line("__result = " + f.ReturnType.Read("__reader") + ";");
        }

        foreach (ParamPlan p in all)
        {
            if (!p.Out)
            {
                continue;
            }

            switch (p.Kind)
            {
                case ParamKind.Buffer:
                    w.Open("if (__reader.ReadBytesInto(" + BytesOf(p, async) + ".Slice(0, __len_" + p.Local + ")) != __len_" + p.Local + ")");
                    w.Line("throw new " + MarshalEx + "(\"The response to '" + f.Edl.Name + "' returned a short '" + p.Name + "'.\");");
                    w.Close();
                    break;
                case ParamKind.StringRef:
                    w.Line("string? __s_" + p.Local + " = __reader." + (p.Wide ? "ReadUtf16String(" : "ReadUtf8String(") + "__max_" + p.Local + ");");
                    w.Open("if ((__s_" + p.Local + " is null) != (" + p.CsName + " is null))");
                    w.Line("throw new " + MarshalEx + "(\"The response to '" + f.Edl.Name + "' changed whether '" + p.Name + "' is null.\");");
                    w.Close();
                    w.Line(p.CsName + " = __s_" + p.Local + ";");
                    break;
                case ParamKind.Pointer:
                    w.Line(p.CsName + " = " + p.Type.Read("__reader") + ";");
                    break;
            }
        }

        w.Line("__reader.EnsureEnd();");
        if (errno)
        {
            w.Line(Abi + "Errno.Value = __errno;");
        }

        w.Close();
        if (f.ReturnType != null)
        {
            w.Line("return __result;");
        }

        w.Close();
        w.Open("finally");
        w.Line("__request.Return();");
        w.Line("__response.Return();");
        w.Close();
    }

    /// <summary>A dispatcher method: <c>Invoke{Name}(request, response)</c>. Every request byte is hostile.</summary>
    private void EmitCalleeMethod(CodeWriter w, FunctionPlan f)
    {
        var all = new List<ParamPlan>(f.Parameters);
        bool errno = !f.Edl.IsTrusted && f.Edl.PropagateErrno;
        w.Open("private void Invoke" + f.CsName + "(global::System.ReadOnlySpan<byte> request, global::System.Buffers.IBufferWriter<byte> response)");
        w.Line(Abi + "WireReader __reader = new " + Abi + "WireReader(request);");
        foreach (ParamPlan p in all)
        {
            switch (p.Kind)
            {
                case ParamKind.Value:
                    w.Line(p.Type.Name + " " + p.CsName + " = " + p.Type.Read("__reader") + ";");
                    break;
                case ParamKind.UserCheck:
                    w.Line("nint " + p.CsName + " = (nint)__reader.ReadInt64();");
                    break;
                case ParamKind.String:
                case ParamKind.StringRef:
                    w.Line("string? " + p.CsName + " = __reader." + (p.Wide
                        ? "ReadUtf16String(" + Abi + "WireLimits.MaxBufferBytes / 2);"
                        : "ReadUtf8String(" + Abi + "WireLimits.MaxBufferBytes);"));
                    if (p.Kind == ParamKind.StringRef)
                    {
                        w.Line("bool __null_" + p.Local + " = " + p.CsName + " is null;");
                        w.Line("int __max_" + p.Local + " = " + p.CsName + " is null ? 0 : " + (p.Wide ? p.CsName + ".Length" : "global::System.Text.Encoding.UTF8.GetByteCount(" + p.CsName + ")") + ";");
                    }

                    break;
                case ParamKind.Buffer:
                    w.Line(p.In
                        ? "global::System.ReadOnlySpan<byte> __in_" + p.Local + " = __reader.ReadBytes(" + Abi + "WireLimits.MaxBufferBytes);"
                        : "uint __req_" + p.Local + " = __reader.ReadUInt32();");
                    break;
                default:
                    w.Line(p.Type.Name + " " + p.CsName + " = " + (p.In ? p.Type.Read("__reader") : "default") + ";");
                    break;
            }
        }

        w.Line("__reader.EnsureEnd();");
        foreach (ParamPlan p in all)
        {
            if (p.Kind != ParamKind.Buffer)
            {
                continue;
            }

            string bytes = p.FoldedSize != null && !p.FoldedIsCount ? SizeValue(p.Edl.Attributes.Size!, all, p, true) : ByteLength(p, all, true);
            w.Line("int __len_" + p.Local + " = " + Size + "Length(" + bytes + ", " + (p.IsTypedBuffer ? p.Type.SizeExpression : "1") + ", true, " + Naming.Literal(p.Name) + ");");
            if (p.In)
            {
                w.Open("if (__in_" + p.Local + ".Length != __len_" + p.Local + ")");
                w.Line("throw new " + MarshalEx + "(\"'" + p.Name + "' of '" + f.Edl.Name + "' carries \" + __in_" + p.Local + ".Length + \" bytes but its size and count say \" + __len_" + p.Local + " + \".\");");
            }
            else
            {
                w.Open("if (__req_" + p.Local + " != (uint)__len_" + p.Local + ")");
                w.Line("throw new " + MarshalEx + "(\"'" + p.Name + "' of '" + f.Edl.Name + "' asks for \" + __req_" + p.Local + " + \" bytes but its size and count say \" + __len_" + p.Local + " + \".\");");
            }

            w.Close();
        }

        var buffers = all.FindAll(p => p.Kind == ParamKind.Buffer);
        foreach (ParamPlan p in buffers)
        {
            // [in] data is copied into private memory once; [out] buffers start zero-filled (EDL semantics).
            w.Line("byte[] __buf_" + p.Local + " = " + Pool + ".Rent(__len_" + p.Local + ");");
        }

        if (buffers.Count > 0)
        {
            w.Open("try");
        }

        foreach (ParamPlan p in buffers)
        {
            w.Line(p.In
                ? "__in_" + p.Local + ".CopyTo(__buf_" + p.Local + ");"
                : "global::System.Array.Clear(__buf_" + p.Local + ", 0, __len_" + p.Local + ");");
            string span = "global::System.MemoryExtensions.AsSpan(__buf_" + p.Local + ", 0, __len_" + p.Local + ")";
            string element = p.Type.Kind == WireKind.Byte ? span : Marshal + "Cast<byte, " + p.Type.Name + ">(" + span + ")";
            w.Line("global::System.Span<" + p.Type.Name + "> __span_" + p.Local + " = " + element + ";");
        }

        if (errno)
        {
            w.Line(Abi + "Errno.Value = 0;");
        }

        string invoke = "_implementation." + f.CsName + "(" + Arguments(f) + ");";
        w.Line(f.ReturnType == null ? invoke : f.ReturnType.Name + " __result = " + invoke);
        if (errno)
        {
            w.Line("int __errno = " + Abi + "Errno.Value;");
        }

        foreach (ParamPlan p in all)
        {
            if (p.Kind != ParamKind.StringRef)
            {
                continue;
            }

            // Intel copies back at most the original length: the string may shrink, never grow.
            w.Open("if (__null_" + p.Local + ")");
            w.Line(p.CsName + " = null;");
            w.Close();
            w.Open("else if (" + p.CsName + " is null)");
            w.Line(p.CsName + " = string.Empty;");
            w.Close();
            w.Open("else if ((" + (p.Wide ? p.CsName + ".Length" : "global::System.Text.Encoding.UTF8.GetByteCount(" + p.CsName + ")") + ") > __max_" + p.Local + ")");
            w.Line("throw new global::System.InvalidOperationException(\"'" + f.Edl.Name + "' grew the [in, out] string '" + p.Name + "'; it may only shrink.\");");
            w.Close();
        }

        // Serialise straight into the response when the runtime hands us a WireBuffer (no extra copy).
        w.Line(Abi + "WireBuffer? __direct = response as " + Abi + "WireBuffer;");
        w.Line(Abi + "WireBuffer __out = __direct ?? " + Abi + "WireBuffer.Rent();");
        w.Open("try");
        if (errno)
        {
            w.Line("__out.WriteInt32(__errno);");
        }

        if (f.ReturnType != null)
        {
            w.Line(f.ReturnType.Write("__out", "__result"));
        }

        foreach (ParamPlan p in all)
        {
            if (!p.Out)
            {
                continue;
            }

            switch (p.Kind)
            {
                case ParamKind.Buffer:
                    w.Line("__out.WriteBytes(global::System.MemoryExtensions.AsSpan(__buf_" + p.Local + ", 0, __len_" + p.Local + "));");
                    break;
                case ParamKind.StringRef:
                    w.Line("__out." + (p.Wide ? "WriteUtf16String(" : "WriteUtf8String(") + p.CsName + ");");
                    break;
                case ParamKind.Pointer:
                    w.Line(p.Type.Write("__out", p.CsName));
                    break;
            }
        }

        w.Open("if (__direct is null)");
        w.Line("global::System.Buffers.BuffersExtensions.Write(response, __out.WrittenSpan);");
        w.Close();
        w.Close();
        w.Open("finally");
        w.Open("if (__direct is null)");
        w.Line("__out.Return();");
        w.Close();
        w.Close();
        if (buffers.Count > 0)
        {
            w.Close();
            w.Open("finally");
            foreach (ParamPlan p in buffers)
            {
                w.Line(Pool + ".Return(__buf_" + p.Local + ", clearArray: true);");
            }

            w.Close();
        }

        w.Close();
    }

    /// <summary><c>Dispatch(functionId, request, response)</c>: the id switch of a dispatcher.</summary>
    private void EmitDispatch(CodeWriter w, List<FunctionPlan> functions, string kind)
    {
        w.Doc("Runs " + kind + " <paramref name=\"functionId\"/>. Every byte of <paramref name=\"request\"/> is treated as hostile.");
        w.Open("public void Dispatch(int functionId, global::System.ReadOnlySpan<byte> request, global::System.Buffers.IBufferWriter<byte> response)");
        w.Open("if (response is null)");
        w.Line("throw new global::System.ArgumentNullException(nameof(response));");
        w.Close();
        w.Line();
        w.Open("switch (functionId)");
        foreach (FunctionPlan f in functions)
        {
            w.Line("case " + f.Edl.Id.ToString(CultureInfo.InvariantCulture) + ":");
            w.Line("    Invoke" + f.CsName + "(request, response);");
            w.Line("    return;");
        }

        w.Line("default:");
        w.Line("    throw new global::SecGear.CallNotAllowedException(\"Contract '" + _contract.Name + "' has no " + kind + " with id \" + functionId + \".\");");
        w.Close();
        w.Close();
    }

    /// <summary>Public proxy method(s) for one function: sync, plus async for switchless ones.</summary>
    private void EmitProxyMethods(CodeWriter w, FunctionPlan f, string channel, string idClass, string kind)
    {
        string id = "global::" + _ns + "." + ContractClass + "." + idClass + "." + f.CsName;
        w.Line();
        w.Doc("Calls " + kind + " <c>" + Naming.Xml(f.Edl.Name) + "</c>" + (f.Edl.Switchless ? " (switchless when the enclave enables it)" : string.Empty) + ".");
        w.Open("public " + f.ReturnName + " " + f.CsName + Signature(f, false));
        EmitCallerBody(w, f, channel, id, false);
        w.Close();
        if (!f.HasAsync)
        {
            return;
        }

        w.Line();
        w.Doc("Calls " + kind + " <c>" + Naming.Xml(f.Edl.Name) + "</c> as an asynchronous switchless call. Buffers must stay untouched until it completes.");
        string task = f.ReturnType == null ? "global::System.Threading.Tasks.ValueTask" : "global::System.Threading.Tasks.ValueTask<" + f.ReturnType.Name + ">";
        w.Open("public async " + task + " " + f.CsName + "Async" + Signature(f, true));
        EmitCallerBody(w, f, channel, id, true);
        w.Close();
    }

    private static void EmitInterfaceMethods(CodeWriter w, List<FunctionPlan> functions, string kind)
    {
        bool first = true;
        foreach (FunctionPlan f in functions)
        {
            if (!first)
            {
                w.Line();
            }

            first = false;
            w.Doc("Implements " + kind + " <c>" + Naming.Xml(f.Edl.Name) + "</c>" + (f.Edl.IsTrusted && !f.Edl.IsPublic ? " (private: runs only while an OCALL that allows it is in progress)" : string.Empty) + ".");
            w.Line(f.ReturnName + " " + f.CsName + Signature(f, false) + ";");
        }
    }
}
