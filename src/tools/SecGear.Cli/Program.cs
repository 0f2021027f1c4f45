Console.Error.WriteLine("secgear: commands are being written (issues 2 and 3).");
return 2;
