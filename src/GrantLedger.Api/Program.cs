using GrantLedger.Api.Configuration;
using JasperFx;
using NodaTime;

var builder = WebApplication.CreateBuilder(args);

builder.AddGrantLedgerClock(SystemClock.Instance);
builder.AddGrantLedgerJson();
builder.AddGrantLedgerMarten();
builder.AddGrantLedgerWolverine();
builder.AddGrantLedgerIdentity();
builder.AddGrantLedgerHttp();

var app = builder.Build();

app.UseGrantLedgerHttp();

return await app.RunJasperFxCommands(args);

/// <summary>Entry point; public so integration tests can host the application.</summary>
public partial class Program;
