"""Media processing core: pure functions over local file paths.

Nothing here touches storage, the database or the network. Jobs (ingest.jobs) call
these functions on temporary local copies obtained through `evidence.service` and
register what they return as derivative items.
"""
