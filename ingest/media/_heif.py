"""HEIC/HEIF (iPhone photos) for Pillow, when the optional pillow-heif is installed."""

from __future__ import annotations

import functools


@functools.cache
def enable_heif() -> bool:
    """Register the HEIF opener once; False when pillow-heif is absent.

    pillow-heif applies the orientation stored in the file when it opens it, so
    images come out upright like every other format after `exif_transpose`.
    """
    try:
        from pillow_heif import register_heif_opener
    except ImportError:
        return False
    register_heif_opener()
    return True
