"""Console API: connections."""
