"""A file read from disk no further than the upload limit, for the CLI's imports (the web's uploader is
bounded by Streamlit's maxUploadSize). Refuses with the same reason as an upload; I/O only, no parsing.
"""

from __future__ import annotations

import os
from pathlib import Path

from data.files.parsing import MAX_FILE_BYTES, FileRefused


def read_bounded(path: Path, limit_bytes: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of `path`, refused ("file_too_large") once more than `limit_bytes` are there: at most
    `limit_bytes` + 1 bytes are ever read, so a 2 GiB file costs no more memory than the limit."""
    with path.open("rb") as stream:
        declared = os.fstat(stream.fileno()).st_size
        content = stream.read(limit_bytes + 1) if declared <= limit_bytes else b""
        if declared > limit_bytes or len(content) > limit_bytes:  # a file that grew while it was read
            size_bytes = max(declared, len(content))
            raise FileRefused(
                "file_too_large", size_mb=round(size_bytes / 1e6), limit_mb=round(limit_bytes / 1e6)
            )
    return content
