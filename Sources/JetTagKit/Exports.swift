// The stage modules whose types JetTagKit's API takes and returns (run configs, model files, reports, batches),
// and the ranks of an MPI training (JetDistributed),
// so that `import JetTagKit` is enough to drive a workflow and read its results.
@_exported import JetData
@_exported import JetExport
@_exported import JetDistributed
@_exported import JetMetrics
@_exported import JetModels
@_exported import JetReport
