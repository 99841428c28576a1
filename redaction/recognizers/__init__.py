"""Presidio recognizers for Kazakhstan: identifiers, contacts, documents, names."""
