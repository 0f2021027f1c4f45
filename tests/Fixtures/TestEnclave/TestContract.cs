using System.Security.Cryptography;
using System.Text;
using SecGear.Abi;

namespace SecGear.Tests.TestEnclave;

/// <summary>The test contract, as the generator would describe it. Compiled into the enclave and into the tests.</summary>
public static class TestContract
{
    public const string Name = "TestEnclave";

    public const int Empty = 0;
    public const int Echo = 1;
    public const int HostThreadViaOcall = 2;
    public const int NestedEntry = 3;
    public const int PrivateInner = 4;
    public const int RefusedNesting = 5;
    public const int Throw = 6;
    public const int OcallThrows = 7;
    public const int Hold = 8;
    public const int Sleep = 9;
    public const int Log = 10;
    public const int Identity = 11;
    public const int Seal = 12;
    public const int Unseal = 13;
    public const int Random = 14;
    public const int EchoViaHost = 15;

    public const int WhereAmI = 0;
    public const int CallBack = 1;
    public const int CallBackRefused = 2;
    public const int HostThrows = 3;
    public const int Block = 4;
    public const int HostEcho = 5;

    public static readonly ContractDescriptor Descriptor = Create(Name, "TestEnclave contract v1");

    public static ContractDescriptor Create(string name, string canonicalForm) => new(
        name,
        SHA256.HashData(Encoding.UTF8.GetBytes(canonicalForm)),
        [
            new FunctionDescriptor(Empty, "empty", true, false),
            new FunctionDescriptor(Echo, "echo", true, false),
            new FunctionDescriptor(HostThreadViaOcall, "host_thread_via_ocall", true, false),
            new FunctionDescriptor(NestedEntry, "nested_entry", true, false),
            new FunctionDescriptor(PrivateInner, "private_inner", false, false),
            new FunctionDescriptor(RefusedNesting, "refused_nesting", true, false),
            new FunctionDescriptor(Throw, "throw_ecall", true, false),
            new FunctionDescriptor(OcallThrows, "ocall_throws", true, false),
            new FunctionDescriptor(Hold, "hold", true, false),
            new FunctionDescriptor(Sleep, "sleep", true, false),
            new FunctionDescriptor(Log, "log", true, false),
            new FunctionDescriptor(Identity, "identity", true, false),
            new FunctionDescriptor(Seal, "seal", true, false),
            new FunctionDescriptor(Unseal, "unseal", true, false),
            new FunctionDescriptor(Random, "random", true, false),
            new FunctionDescriptor(EchoViaHost, "echo_via_host", true, false),
        ],
        [
            new FunctionDescriptor(WhereAmI, "where_am_i", true, false),
            new FunctionDescriptor(CallBack, "call_back", true, false, false, [PrivateInner]),
            new FunctionDescriptor(CallBackRefused, "call_back_refused", true, false, false, []),
            new FunctionDescriptor(HostThrows, "host_throws", true, false),
            new FunctionDescriptor(Block, "block", true, false),
            new FunctionDescriptor(HostEcho, "host_echo", true, false),
        ]);
}
