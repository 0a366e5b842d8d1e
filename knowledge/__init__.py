"""Knowledge base: policy documents, idempotent ingestion, hybrid retrieval, cited answers.

Build ``knowledge.service.KnowledgeService(settings)`` and call its ``ask``; the API holds one
per process (``knowledge.http``), the command line one per run (``python -m knowledge``).
"""
