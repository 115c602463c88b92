"""A cached page's body, split at its per-request parts and kept both plain and gzip-compressed.

A shared page is the same for everyone but for a few per-request values (the CSRF token, a
form's signed timestamp, a reader count), which it holds as placeholders. The parts between
them are stored once as they are and once compressed, so serving the page joins stored bytes
with the values: nothing is searched, decoded or compressed per request.

The gzip form is one deflate stream built from pieces:

- each fixed part is compressed on its own (a fresh compressor, ended by a sync flush), so it
  never refers back to bytes before it: the bytes before it differ per request;
- each per-request value is written as a *stored* (uncompressed) block. It is never matched
  against the rest of the page, nor the page against it, so the response's length says
  nothing about its content. That is what BREACH needs: an attacker who reflects guesses into
  a page (a search query, a comment) and watches compressed lengths learns nothing about the
  token beside them. Django also masks the CSRF token anew for each response.
- the gzip trailer's CRC-32 is combined from the fixed parts' stored CRCs and the values'
  own (zlib-ng's crc32_combine), not computed over the whole page per request.
"""

import re
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from zlib_ng import zlib_ng

PLACEHOLDER = re.compile(rb"\x00([a-z][a-z0-9-]*):([^\x00]{0,64})\x00")

# gzip member header: magic, deflate, no flags, no mtime, no extra flags, unknown OS.
_GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
# A final, empty block with fixed codes: ends the deflate stream after the last sync flush.
_FINAL_BLOCK = b"\x03\x00"
_STORED_BLOCK_MAX = 0xFFFF

Slot = tuple[str, str]  # (name, argument) of a placeholder
Fill = Callable[[str, str], str]


@dataclass(frozen=True)
class PlainBody:
    """The page as fixed byte parts with the slots between them: parts[i], slots[i], parts[i+1]…"""

    parts: tuple[bytes, ...]
    slots: tuple[Slot, ...]

    @classmethod
    def parse(cls, content: bytes) -> "PlainBody":
        """Split a rendered page at its placeholders."""
        pieces = PLACEHOLDER.split(content)
        # re.split with two groups: part, name, argument, part, name, argument, …, part
        slots = tuple(
            (name.decode(), argument.decode())
            for name, argument in zip(pieces[1::3], pieces[2::3], strict=True)
        )
        return cls(parts=tuple(pieces[0::3]), slots=slots)

    def render(self, fill: Fill) -> bytes:
        values = _values(self.slots, fill)
        pieces = [self.parts[0]]
        for value, part in zip(values, self.parts[1:], strict=True):
            pieces += (value, part)
        return b"".join(pieces)


@dataclass(frozen=True)
class GzipBody:
    """The same page as separately compressed parts, each with its CRC-32 and length."""

    parts: tuple[bytes, ...]
    crcs: tuple[int, ...]
    lengths: tuple[int, ...]
    slots: tuple[Slot, ...]

    @classmethod
    def compress(cls, plain: PlainBody) -> "GzipBody":
        return cls(
            parts=tuple(_compress(part) for part in plain.parts),
            crcs=tuple(zlib.crc32(part) for part in plain.parts),
            lengths=tuple(len(part) for part in plain.parts),
            slots=plain.slots,
        )

    def render(self, fill: Fill) -> bytes:
        values = _values(self.slots, fill)
        crc = self.crcs[0]
        size = self.lengths[0]
        pieces = [_GZIP_HEADER, self.parts[0]]
        for value, part, part_crc, length in zip(
            values, self.parts[1:], self.crcs[1:], self.lengths[1:], strict=True
        ):
            pieces += _stored_blocks(value)
            pieces.append(part)
            crc = zlib_ng.crc32_combine(zlib.crc32(value, crc), part_crc, length)
            size += len(value) + length
        pieces += (_FINAL_BLOCK, struct.pack("<II", crc, size & 0xFFFFFFFF))
        return b"".join(pieces)


@lru_cache(maxsize=256)
def accepts_gzip(accept_encoding: str) -> bool:
    """Whether an Accept-Encoding header accepts gzip (RFC 9110: `gzip;q=0` refuses it)."""
    wildcard = False
    for item in accept_encoding.lower().split(","):
        coding, _, parameters = item.partition(";")
        coding = coding.strip()
        if coding in ("gzip", "x-gzip"):
            return _quality(parameters) > 0
        if coding == "*":
            wildcard = _quality(parameters) > 0
    return wildcard


def _quality(parameters):
    for parameter in parameters.split(";"):
        key, _, value = parameter.partition("=")
        if key.strip() == "q":
            try:
                return float(value)
            except ValueError:
                return 0.0
    return 1.0


def _values(slots, fill):
    # The same placeholder twice on a page gets the same value.
    filled = {}
    for slot in slots:
        if slot not in filled:
            filled[slot] = fill(*slot).encode()
    return [filled[slot] for slot in slots]


def _compress(part):
    compressor = zlib.compressobj(level=6, wbits=-zlib.MAX_WBITS)
    return compressor.compress(part) + compressor.flush(zlib.Z_SYNC_FLUSH)


def _stored_blocks(value):
    """`value` as non-final stored deflate blocks (header byte, LEN, NLEN, the bytes)."""
    blocks = []
    for start in range(0, len(value), _STORED_BLOCK_MAX):
        chunk = value[start : start + _STORED_BLOCK_MAX]
        blocks += (b"\x00", struct.pack("<HH", len(chunk), len(chunk) ^ 0xFFFF), chunk)
    return blocks
