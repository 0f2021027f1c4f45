namespace SecGear.Generator;

/// <summary>Enclave side: ECALL interface, factory and dispatcher, OCALL proxy.</summary>
internal sealed partial class Emitter
{
    private string EmitEnclave()
    {
        CodeWriter w = Begin();
        string iface = "I" + _p + "Ecalls";
        string factory = _p + "EcallFactory";
        w.Line("[assembly: " + Abi + "EnclaveContract(typeof(global::" + _ns + "." + factory + "))]");
        w.Line();
        w.Open("namespace " + _ns);
        w.Doc("The ECALLs of contract <c>" + Naming.Xml(_contract.Name) + "</c> (private ones included): the enclave implements them. Spans are private copies, valid only during the call.");
        w.Open("public interface " + iface);
        EmitInterfaceMethods(w, _ecalls, "ECALL");
        w.Close();

        w.Line();
        w.Doc("Creates the ECALL dispatcher of contract <c>" + Naming.Xml(_contract.Name) + "</c> around the enclave's <see cref=\"" + iface + "\"/>.");
        w.Open("public sealed class " + factory + " : " + Abi + "IEcallFactory");
        w.Doc("The enclave's view of the contract.");
        w.Line("public " + Abi + "ContractDescriptor Contract => global::" + _ns + "." + ContractClass + ".Descriptor;");
        w.Line();
        w.Doc("The interface an implementation must have.");
        w.Line("public global::System.Type EcallInterface => typeof(" + iface + ");");
        w.Line();
        w.Doc("Wraps <paramref name=\"implementation\"/>, which must implement <see cref=\"" + iface + "\"/>.");
        w.Open("public " + Abi + "IEcallHandler Create(object implementation)");
        w.Open("if (implementation is not " + iface + " typed)");
        w.Line("throw new global::System.ArgumentException(\"The implementation must implement " + iface + ".\", nameof(implementation));");
        w.Close();
        w.Line();
        w.Line("return new " + _p + "EcallDispatcher(typed);");
        w.Close();
        w.Close();

        w.Line();
        w.Doc("The ECALL table of contract <c>" + Naming.Xml(_contract.Name) + "</c>: deserialises hostile requests, calls the implementation, serialises results.");
        w.Open("internal sealed class " + _p + "EcallDispatcher : " + Abi + "IEcallHandler");
        w.Line("private readonly " + iface + " _implementation;");
        w.Line();
        w.Open("internal " + _p + "EcallDispatcher(" + iface + " implementation)");
        w.Line("_implementation = implementation;");
        w.Close();
        w.Line();
        w.Doc("The enclave's view of the contract.");
        w.Line("public " + Abi + "ContractDescriptor Contract => global::" + _ns + "." + ContractClass + ".Descriptor;");
        w.Line();
        EmitDispatch(w, _ecalls, "ECALL");
        foreach (FunctionPlan f in _ecalls)
        {
            w.Line();
            EmitCalleeMethod(w, f);
        }

        w.Close();

        w.Line();
        w.Doc("Enclave-side proxy for the OCALLs of contract <c>" + Naming.Xml(_contract.Name) + "</c>.");
        w.Open("public sealed partial class " + _p + "OcallProxy");
        w.Line("private readonly " + Abi + "IOcallChannel _channel;");
        w.Line();
        w.Doc("Makes OCALLs through <paramref name=\"channel\"/> (from the trusted runtime).");
        w.Open("public " + _p + "OcallProxy(" + Abi + "IOcallChannel channel)");
        w.Line("_channel = channel ?? throw new global::System.ArgumentNullException(nameof(channel));");
        w.Close();
        foreach (FunctionPlan f in _ocalls)
        {
            EmitProxyMethods(w, f, "_channel", "OcallIds", "OCALL");
        }

        w.Close();
        w.Close();
        return w.ToString();
    }
}
