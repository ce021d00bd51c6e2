"""Developer tooling: throwaway servers for tests and `make run`, the `make run` supervisor, test settings.

Nothing here is imported by the application itself.
"""
