"""Console API: transfer."""
