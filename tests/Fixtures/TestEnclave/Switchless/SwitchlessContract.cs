using System.Security.Cryptography;
using System.Text;
using SecGear.Abi;

namespace SecGear.Tests.TestEnclave.Switchless;

/// <summary>A second contract of the fixture enclave for switchless calls and shared memory (generated shape).</summary>
public static class SwitchlessContract
{
    public const string Name = "SwitchlessTest";

    public const int Echo = 0;
    public const int SumShared = 1;
    public const int FillShared = 2;
    public const int EchoViaSwitchlessOcall = 3;
    public const int EchoViaRegularOcall = 4;
    public const int Sleep = 5;
    public const int Bytes = 6;
    public const int Increment = 7;
    public const int OcallLoop = 8;
    public const int SumBytes = 9;

    public const int HostEcho = 0;
    public const int HostEmpty = 1;

    public static readonly ContractDescriptor Descriptor = new(
        Name,
        SHA256.HashData(Encoding.UTF8.GetBytes("SwitchlessTest contract v1")),
        [
            new FunctionDescriptor(Echo, "sl_echo", true, true),
            new FunctionDescriptor(SumShared, "sum_shared", true, true),
            new FunctionDescriptor(FillShared, "fill_shared", true, true),
            new FunctionDescriptor(EchoViaSwitchlessOcall, "echo_via_switchless_ocall", true, true),
            new FunctionDescriptor(EchoViaRegularOcall, "echo_via_regular_ocall", true, true),
            new FunctionDescriptor(Sleep, "sl_sleep", true, true),
            new FunctionDescriptor(Bytes, "sl_bytes", true, true),
            new FunctionDescriptor(Increment, "sl_increment", true, true),
            new FunctionDescriptor(OcallLoop, "ocall_loop", true, true),
            new FunctionDescriptor(SumBytes, "sum_bytes", true, true),
        ],
        [
            new FunctionDescriptor(HostEcho, "sl_host_echo", true, true),
            new FunctionDescriptor(HostEmpty, "sl_host_empty", true, true),
        ]);
}
