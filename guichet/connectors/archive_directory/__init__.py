"""A folder as archival target, for administrations without Vitam: each package is written there
with its SHA-512 checksum file, for another system (or a person) to collect."""
