return SecGear.Cli.SecGearCli.Run(args, Console.Out, Console.Error);
