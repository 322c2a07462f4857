"""ClamAV's clamd: every uploaded file is scanned before it is kept (INSTREAM, over TCP or a Unix socket)."""
