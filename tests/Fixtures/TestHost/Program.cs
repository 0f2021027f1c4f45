using SecGear.Host;

if (args.Length != 1)
{
    Console.Error.WriteLine("usage: SecGear.Tests.TestHost <image>");
    return 2;
}

using Enclave enclave = Enclave.Create(args[0], EnclaveType.Simulation);
Console.WriteLine(enclave.RunnerProcessId);
Console.Out.Flush();
Thread.Sleep(Timeout.Infinite);
return 0;
