using Marten;

namespace GrantLedger.Api.Reports;

public static class ReportsRegistration
{
    /// <summary>The generated PDFs' table, in the store's schema, and the report jobs, found by PDF hash or model hash.</summary>
    public static StoreOptions AddReports(this StoreOptions opts)
    {
        opts.Storage.ExtendedSchemaObjects.Add(ReportFiles.Table(opts.DatabaseSchemaName));
        opts.Schema.For<ReportJob>().Index(j => j.PdfSha256).Index(j => j.Hash);
        return opts;
    }
}
