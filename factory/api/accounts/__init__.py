"""Console API: accounts."""
