"""What every export writer shares to send its file as it is written: the size of the chunks, and the
ZIP that the spreadsheets (XLSX, ODS) are packed in as their parts come."""

import zlib
from collections.abc import Iterable, Iterator

from stream_zip import stream_zip

CHUNK_BYTES = 64 * 1024


def _zipped(members: Iterable) -> Iterator[bytes]:
    # Level 6 rather than stream-zip's 9: a tenth larger, much faster on repetitive XML.
    yield from stream_zip(
        members,
        chunk_size=CHUNK_BYTES,
        get_compressobj=lambda: zlib.compressobj(wbits=-zlib.MAX_WBITS, level=6),
        extended_timestamps=False,
    )
