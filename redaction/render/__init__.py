"""Renderers: each turns an original plus the approved targets of a plan into a redacted
file. They work on local paths only; the caller (``redaction.jobs``) materialises inputs
and registers outputs through ``evidence.service``."""
