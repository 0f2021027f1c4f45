using SecGear.Abi;

[assembly: EnclaveContract(typeof(SecGear.Tests.TestEnclave.TestEnclaveEcallFactory))]
[assembly: EnclaveContract(typeof(SecGear.Tests.TestEnclave.Switchless.SwitchlessEcallFactory))]
