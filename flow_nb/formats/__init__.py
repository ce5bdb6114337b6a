"""Workflow formats beside the model: the server's JSON format (and later Dify DSL, Mermaid)."""
