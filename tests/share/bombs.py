"""Hostile packs built by hand: tar members replaykit would never write, and gzip bombs.

A bomb of 10 GB of zeros is streamed through deflate without compressing 10 GB: after a full flush deflate
forgets its history, so the compressed form of a zero block is the same bytes every time and can be
repeated. The gzip trailer's CRC is computed the same way (CRC-32 over a run of zeros is an affine map of
the CRC before it), so the bomb is a valid gzip file that `gzip -t` would accept after inflating 10 GB.
"""

from __future__ import annotations

import hashlib
import io
import struct
import tarfile
import zlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import orjson

BLOCK = 1024 * 1024  # the unit of zeros compressed once and repeated
GiB = 1024 ** 3


def member(name: str, data: bytes = b"", **attrs: Any) -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    for key, value in attrs.items():
        setattr(info, key, value)
    return info, data


def manifest(files: Iterable[tuple[str, int, str]], **extra: Any) -> tuple[tarfile.TarInfo, bytes]:
    body = {"format": 1, "kind": "replaykit-pack", "run_id": "evil",
            "members": [{"path": p, "size": s, "sha256": h} for p, s, h in files], **extra}
    return member("MANIFEST.json", orjson.dumps(body))


def sha(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def write_tar_gz(path: Path, members: Iterable[tuple[tarfile.TarInfo, bytes]]) -> Path:
    """A tar.gz with exactly these headers, whatever they say (tarfile writes what it is given)."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for info, data in members:
            if info.isreg():
                tar.addfile(info, io.BytesIO(data))
            else:
                tar.addfile(info)
    path.write_bytes(_gzip(raw.getvalue()))
    return path


def _gzip(data: bytes) -> bytes:
    out = io.BytesIO()
    import gzip

    with gzip.GzipFile(fileobj=out, mode="wb", mtime=0) as gz:
        gz.write(data)
    return out.getvalue()


class _ZeroCrc:
    """crc32(b"\\0" * BLOCK, crc) for any crc, from 33 CRCs of one block (the map is affine over GF(2))."""

    def __init__(self) -> None:
        zeros = bytes(BLOCK)
        self.base = zlib.crc32(zeros, 0)
        self.columns = [zlib.crc32(zeros, 1 << i) ^ self.base for i in range(32)]

    def __call__(self, crc: int) -> int:
        out = self.base
        for i in range(32):
            if crc >> i & 1:
                out ^= self.columns[i]
        return out


class BombWriter:
    """Writes a gzip file piece by piece: real bytes through a deflater, zeros as a repeated chunk."""

    def __init__(self, path: Path) -> None:
        self.fh = path.open("wb")
        self.fh.write(b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff")  # gzip header, no name, mtime 0
        self.deflater = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
        fresh = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
        self.zero_chunk = fresh.compress(bytes(BLOCK)) + fresh.flush(zlib.Z_FULL_FLUSH)
        self.zero_crc = _ZeroCrc()
        self.crc = 0
        self.size = 0

    def data(self, data: bytes) -> None:
        self.fh.write(self.deflater.compress(data) + self.deflater.flush(zlib.Z_FULL_FLUSH))
        self.crc = zlib.crc32(data, self.crc)
        self.size += len(data)

    def zeros(self, count: int) -> None:
        assert count % BLOCK == 0
        for _ in range(count // BLOCK):
            self.fh.write(self.zero_chunk)
            self.crc = self.zero_crc(self.crc)
        self.size += count

    def close(self) -> None:
        self.fh.write(self.deflater.flush(zlib.Z_FINISH))
        self.fh.write(struct.pack("<II", self.crc, self.size & 0xFFFFFFFF))
        self.fh.close()


def zero_bomb(path: Path, *, total: int = 10 * GiB, member_size: int = 64 * 1024 * 1024,
              declared: int | None = None) -> Path:
    """A pack whose members are `member_size` bytes of zeros, `total` bytes in all. Its manifest lists the
    first `declared` members (all by default) with their true size and sha256, so every header agrees with it
    and only the inflating itself can give the bomb away."""
    count = total // member_size
    names = [f"cassettes/p/s{i:04d}--r0.json" for i in range(count)]
    listed = names if declared is None else names[:declared]
    digest = hashlib.sha256()
    for _ in range(member_size // BLOCK if listed else 0):  # hashing 10 GB would take a while: only if needed
        digest.update(bytes(BLOCK))
    # run.json must be listed; the bomb never gets that far
    entries = [("run.json", 2, sha(b"{}"))] + [(n, member_size, "sha256:" + digest.hexdigest()) for n in listed]
    info, data = manifest(entries)
    writer = BombWriter(path)
    writer.data(info.tobuf(tarfile.PAX_FORMAT) + data + bytes(-len(data) % 512))
    for name in names:
        writer.data(member(name, size=member_size)[0].tobuf(tarfile.PAX_FORMAT))
        writer.zeros(member_size)
    writer.data(bytes(1024))  # end of archive
    writer.close()
    return path
