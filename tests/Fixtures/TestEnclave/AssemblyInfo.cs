using SecGear.Abi;

[assembly: EnclaveContract(typeof(SecGear.Tests.TestEnclave.TestEnclaveEcallFactory))]
