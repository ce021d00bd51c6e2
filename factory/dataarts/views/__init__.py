"""The v1 API's views, one module per area; ``base`` holds what they share."""
