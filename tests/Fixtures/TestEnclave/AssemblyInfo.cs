using SecGear.Abi;

// The generated test contract registers its own factory; the hand-written switchless contract does so here.
[assembly: EnclaveContract(typeof(SecGear.Tests.TestEnclave.Switchless.SwitchlessEcallFactory))]
