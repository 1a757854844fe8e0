using GrantLedger.Benchmarks;

// scripts/bench.sh runs `history <connection>`, then starts the app and runs `disbursements <connection> <app URL> <app pid> <password>`.
switch (args.FirstOrDefault())
{
    case "history":
        await HistoryBenchmark.Run(args[1], args[2..]);
        return 0;
    case "drop-schema":
        await using (var dataSource = Npgsql.NpgsqlDataSource.Create(args[1]))
        {
            await dataSource.CreateCommand($"drop schema if exists \"{args[2]}\" cascade").ExecuteNonQueryAsync();
        }

        return 0;
    case "disbursements":
        await DisbursementBenchmark.Run(args[1], new Uri(args[2]), int.Parse(args[3]), args[4]);
        return 0;
    case "quick":
        await QuickBenchmark.Run(args[1], args[2], new Uri(args[3]), int.Parse(args[4]), args[5]);
        return 0;
    case "pages":
        await PagesBenchmark.Run(args[1], args[2], new Uri(args[3]), int.Parse(args[4]), args[5]);
        return 0;
    case "load":
        await DisbursementBenchmark.Load(new Uri(args[1]), args[2], int.Parse(args[3]), TimeSpan.FromSeconds(int.Parse(args[4])), int.Parse(args[5]),
            args.ElementAtOrDefault(6) ?? "load");
        return 0;
    case "profile-report":
        return ProfileReport.Run(args[1]);
    case "bad-input":
        return await BadInputScenario.Run(new Uri(args[1]), args[2], int.Parse(args[3]));
    case "crash":
        return await CrashScenario.Run(new Uri(args[1]), args[2], TimeSpan.FromSeconds(int.Parse(args[3])), args.ElementAtOrDefault(4) ?? "crash");
    case "race":
        return await RaceScenario.Run(new Uri(args[1]), new Uri(args[2]), args[3]);
    case "deadline-plan":
        return await DeadlineScenario.Plan(new Uri(args[1]), args[2], args[3]);
    case "deadline-check":
        return await DeadlineScenario.Check(new Uri(args[1]), args[2], Guid.Parse(args[3]), Guid.Parse(args[4]), long.Parse(args[5]),
            long.Parse(args[6]), long.Parse(args[7]), args[8]);
    case "restore-before":
        return await RestoreScenario.Before(new Uri(args[1]), args[2], args[3]);
    case "restore-after":
        return await RestoreScenario.After(new Uri(args[1]), args[2], args[3]);
    default:
        Console.Error.WriteLine("usage: history <connection> [--reuse] [--schema NAME] | disbursements <connection> <app URL> <app pid> <demo password>");
        return 2;
}
