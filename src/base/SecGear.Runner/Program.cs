Console.Error.WriteLine("SecGear.Runner: the simulation engine is being written (issue 3).");
return 2;
