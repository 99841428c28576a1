"""The job runtime every package's slow work runs on.

`models` (the job table), `stages` (what a stage is, its `Context`, the registry),
`jobs` (job rows, submission, `run_job`), `queue` (RQ, thread pool, inline or off) and
`worker` (`dalel worker`). Ingest's media stages, redaction's and disclosure's stages
all run here, with the same queues and retries.
"""
