"""Charts and the audit report, rendered from `InsightReport` (so the k rule already holds)."""
