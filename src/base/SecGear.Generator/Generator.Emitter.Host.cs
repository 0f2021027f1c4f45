namespace SecGear.Generator;

/// <summary>Host side: ECALL proxy, OCALL interface and OCALL handler.</summary>
internal sealed partial class Emitter
{
    private string EmitHost()
    {
        CodeWriter w = Begin();
        w.Open("namespace " + _ns);
        string iface = "I" + _p + "Ocalls";
        w.Doc("The OCALLs of contract <c>" + Naming.Xml(_contract.Name) + "</c>: the host implements them. Spans are valid only during the call.");
        w.Open("public interface " + iface);
        EmitInterfaceMethods(w, _ocalls, "OCALL");
        w.Close();

        w.Line();
        w.Doc("Runs the OCALLs of contract <c>" + Naming.Xml(_contract.Name) + "</c> on the host: deserialises each request, calls <see cref=\"" + iface + "\"/>, serialises the results.");
        w.Open("public sealed class " + _p + "OcallHandler : " + Abi + "IOcallHandler");
        w.Line("private readonly " + iface + " _implementation;");
        w.Line();
        w.Doc("Wraps the host's OCALL implementation.");
        w.Open("public " + _p + "OcallHandler(" + iface + " implementation)");
        w.Line("_implementation = implementation ?? throw new global::System.ArgumentNullException(nameof(implementation));");
        w.Close();
        w.Line();
        EmitDispatch(w, _ocalls, "OCALL");
        foreach (FunctionPlan f in _ocalls)
        {
            w.Line();
            EmitCalleeMethod(w, f);
        }

        w.Close();

        w.Line();
        w.Doc("Host proxy for contract <c>" + Naming.Xml(_contract.Name) + "</c>: one method per public ECALL.");
        w.Open("public sealed partial class " + _p + "Proxy");
        w.Line("private readonly " + Abi + "IEnclaveChannel _channel;");
        w.Line();
        w.Doc("Binds the contract on <paramref name=\"enclave\"/> (which checks the contract hash) and registers the OCALL implementation.");
        w.Open("public " + _p + "Proxy(" + Abi + "IEnclaveConnection enclave, " + iface + "? ocalls)");
        w.Open("if (enclave is null)");
        w.Line("throw new global::System.ArgumentNullException(nameof(enclave));");
        w.Close();
        w.Line();
        w.Line("_channel = enclave.Bind(global::" + _ns + "." + ContractClass + ".Descriptor, ocalls is null ? null : new " + _p + "OcallHandler(ocalls));");
        w.Close();
        w.Line();
        w.Doc("The channel the proxy calls through.");
        w.Line("public " + Abi + "IEnclaveChannel Channel => _channel;");
        foreach (FunctionPlan f in _ecalls)
        {
            if (f.Edl.IsPublic)
            {
                EmitProxyMethods(w, f, "_channel", "EcallIds", "ECALL");
            }
        }

        w.Close();
        w.Close();
        return w.ToString();
    }
}
