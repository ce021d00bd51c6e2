"""A profile's rewrite rules on a job or a script: ``factory.development.rewriting`` (the import applies
them too, as choices)."""

from factory.development.rewriting import job_document_rewrite, script_document_rewrite

__all__ = ["job_document_rewrite", "script_document_rewrite"]
