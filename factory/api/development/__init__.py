"""Console API: development."""
