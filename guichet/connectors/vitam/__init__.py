"""Vitam, the state's archival system: SEDA packages are transferred through its ingest-external
API over mutual TLS, followed through admin-external's operations, and answered by an
ArchiveTransferReply (ATR)."""
