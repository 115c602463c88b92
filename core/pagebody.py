"""A cached page's body, split at its per-request parts and kept plain, gzip- and zstd-compressed.

A shared page is the same for everyone but for a few per-request values (the CSRF token, a
form's signed timestamp, a reader count), which it holds as placeholders. The parts between
them are stored once as they are and once in each compressed form, so serving the page joins
stored bytes with the values: nothing is searched, decoded or compressed per request.

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

The zstd form (RFC 8878, sent to browsers that accept it: Chrome and Firefox do) is a sequence
of frames, which a decoder reads as one stream: each fixed part is a frame compressed on its
own, each value a frame of one *raw* (uncompressed) block, for the same reasons. zstd's window
is not gzip's 32 KB, so repeated markup far apart on a long page still matches: the benchmark's
post with 520 comments is 40 KB instead of 70.
"""

import re
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import zstandard
from zlib_ng import zlib_ng

PLACEHOLDER = re.compile(rb"\x00([a-z][a-z0-9-]*):([^\x00]{0,64})\x00")

# gzip member header: magic, deflate, no flags, no mtime, no extra flags, unknown OS.
_GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
# A final, empty block with fixed codes: ends the deflate stream after the last sync flush.
_FINAL_BLOCK = b"\x03\x00"
_STORED_BLOCK_MAX = 0xFFFF

# Level 9 compresses the 1.3 MB benchmark page in about 11 ms (gzip's level 6 takes 10), once per
# stored page; level 12 takes twice as long for 0.3 % less, 19 thirty times as long for 6 %.
# Its window is at most 4 MiB: browsers need keep no more than 8 (RFC 9659).
ZSTD_LEVEL = 9
_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
# Frame header descriptor: one segment (the window is the content), a 4-byte content size.
_ZSTD_RAW_FRAME_DESCRIPTOR = b"\xa0"
_ZSTD_BLOCK_MAX = 128 * 1024

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


@dataclass(frozen=True)
class ZstdBody:
    """The same page as zstd frames, one per fixed part; each value becomes a raw frame."""

    parts: tuple[bytes, ...]
    slots: tuple[Slot, ...]

    @classmethod
    def compress(cls, plain: PlainBody) -> "ZstdBody":
        compressor = zstandard.ZstdCompressor(level=ZSTD_LEVEL)
        return cls(parts=tuple(map(compressor.compress, plain.parts)), slots=plain.slots)

    def render(self, fill: Fill) -> bytes:
        values = _values(self.slots, fill)
        pieces = [self.parts[0]]
        for value, part in zip(values, self.parts[1:], strict=True):
            pieces += _raw_frame(value)
            pieces.append(part)
        return b"".join(pieces)


@lru_cache(maxsize=256)
def preferred_coding(accept_encoding: str) -> str | None:
    """The coding to send a page in, by Accept-Encoding (RFC 9110): "zstd", "gzip", or None for
    the page as it is.

    zstd when the client names it and ranks it no lower than gzip (about half gzip's size on
    long pages, and quicker to decode); gzip when it accepts that, by name or by `*`. A bare `*`
    gets gzip, not zstd: the safer guess at what such a client decodes. `gzip;q=0` refuses.
    """
    named = {}
    wildcard = 0.0
    for item in accept_encoding.lower().split(","):
        coding, _, parameters = item.partition(";")
        coding = coding.strip()
        coding = "gzip" if coding == "x-gzip" else coding
        if coding == "*":
            wildcard = _quality(parameters)
        elif coding in ("zstd", "gzip"):
            named.setdefault(coding, _quality(parameters))
    zstd = named.get("zstd", 0.0)
    gzip = named.get("gzip", wildcard)
    if zstd > 0 and zstd >= gzip:
        return "zstd"
    return "gzip" if gzip > 0 else None


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


def _raw_frame(value):
    """`value` as a zstd frame of raw blocks: magic number, descriptor, size, the blocks."""
    if not value:
        return []
    pieces = [_ZSTD_MAGIC, _ZSTD_RAW_FRAME_DESCRIPTOR, struct.pack("<I", len(value))]
    for start in range(0, len(value), _ZSTD_BLOCK_MAX):
        chunk = value[start : start + _ZSTD_BLOCK_MAX]
        last = start + _ZSTD_BLOCK_MAX >= len(value)
        # Block header, 3 bytes little-endian: size << 3 | type (0: raw) << 1 | last block.
        pieces += (struct.pack("<I", len(chunk) << 3 | last)[:3], chunk)
    return pieces
