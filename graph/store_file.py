"""The embedded store's file container: data only, checked before use, written atomically under a lock.

A store file holds numeric arrays and Arrow tables under a JSON manifest.
Opening one reads bytes with :mod:`json`, :func:`numpy.frombuffer` and
:mod:`pyarrow.ipc` only: nothing in it can run code (no pickle, no eval, no
object arrays, no Arrow extension types). Every size, offset and checksum is
checked before anything is used, so a damaged or crafted file gives one
:class:`~graph.errors.StoreUnavailable` line ("X is not a guanxi store: ...").

File format (``guanxi-store`` version 4)
----------------------------------------
====== ======== =================================================================
offset bytes    content
====== ======== =================================================================
0      16       magic ``\\x89GUANXI-STORE\\r\\n\\x1a``
16     8        manifest offset (unsigned, little-endian)
24     8        manifest length
32     32       SHA-256 of the manifest bytes
64     ...      sections, each starting at a multiple of 64 bytes (so arrays can
                be memory-mapped): a raw little-endian numpy array (bool, int8,
                int32, int64, float64) or an Arrow IPC stream (one table of
                strings, integers, floats, booleans, lists of strings)
end    ...      the manifest: UTF-8 JSON ``{"format": "guanxi-store", "version":
                4, "sections": [{"name", "kind", "dtype", "shape", "offset",
                "length", "sha256"}, ...], "meta": {...}}``; ``meta`` is the
                writer's (:mod:`graph.embedded_file` says what it holds)
====== ======== =================================================================

Writers hold an exclusive ``fcntl.flock`` on the sidecar ``<file>.lock``
(:class:`WriterLock`, which records the holder's pid) and write a temporary
file ``.<file>.<pid>.<random>.tmp`` in the same folder, flushed and fsynced,
then renamed over the file, then the folder is fsynced: readers take no lock
and always see the last complete file. A save removes temporary files that a
killed save left behind (those whose pid is gone).

>>> import tempfile, numpy as np
>>> folder = Path(tempfile.mkdtemp())
>>> write_store_file(folder / "x.gx", [("a", np.arange(3))], {"note": "hi"})
>>> f = StoreFile.open(folder / "x.gx")
>>> f.array("a").tolist(), f.meta["note"]
([0, 1, 2], 'hi')
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import mmap
import os
import secrets
import stat
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, TypeGuard

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.ipc as ipc

from graph.errors import StoreError, StoreUnavailable

MAGIC = b"\x89GUANXI-STORE\r\n\x1a"
FORMAT = "guanxi-store"
VERSION = 4
HEADER_SIZE = 64
ALIGN = 64
#: a manifest is a few kilobytes; anything near this is not one
MAX_MANIFEST = 16 * 1024 * 1024
MAX_SECTIONS = 10_000
#: array dtypes a store file may hold (numeric only: never object)
ARRAY_DTYPES = frozenset({"|b1", "|i1", "<i4", "<i8", "<f8"})
#: files up to this size have every section's checksum verified when opened (about 0.3 s at most on
#: this machine); a larger file is opened without hashing it whole, see :meth:`StoreFile.open`
EAGER_VERIFY_BYTES = 64 * 1024 * 1024
#: how long a writer waits for another writer by default (seconds)
DEFAULT_LOCK_TIMEOUT = 600.0

#: first bytes of pickle protocols 2 to 5, which guanxi before version 3 wrote
_PICKLE_STARTS = tuple(bytes([0x80, p]) for p in range(2, 6))

Section = tuple[str, "np.ndarray | pa.Table"]


def rebuild_hint(file: Path) -> str:
    """What to run to replace a store file guanxi cannot open."""
    return f"rebuild it with `guanxi load FILES --store {file} --replace`"


def not_a_store(file: Path, why: str) -> StoreUnavailable:
    """The one-line error for a file that is not a (valid) guanxi store."""
    return StoreUnavailable(f"{file} is not a guanxi store: {why}; {rebuild_hint(file)}")


# -- writing ------------------------------------------------------------------------------
def _array_bytes(arr: np.ndarray) -> tuple[str, list[int], memoryview]:
    """dtype string, shape and the raw bytes of an array in the file's byte order."""
    a = np.asarray(arr)
    if a.dtype == np.bool_:
        a = a.astype("|b1", copy=False)
    elif a.dtype.kind in "iu" and a.dtype.itemsize == 1:
        a = a.astype("|i1", copy=False)
    elif a.dtype.kind in "iu" and a.dtype.itemsize <= 4:
        a = a.astype("<i4", copy=False)
    elif a.dtype.kind in "iu":
        a = a.astype("<i8", copy=False)
    elif a.dtype.kind == "f":
        a = a.astype("<f8", copy=False)
    else:
        raise StoreError(f"a store file holds numeric arrays only, not {a.dtype}")
    a = np.ascontiguousarray(a)
    return a.dtype.str, list(a.shape), a.data.cast("B")


def _table_bytes(table: pa.Table) -> pa.Buffer:
    sink = pa.BufferOutputStream()
    with ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue()


def _write_all(fh: BinaryIO, sections: Iterable[Section], meta: Mapping[str, Any]) -> None:
    fh.write(b"\0" * HEADER_SIZE)
    offset = HEADER_SIZE
    entries: list[dict[str, Any]] = []
    for name, value in sections:
        if isinstance(value, pa.Table):
            kind, dtype, shape, data = "arrow", None, None, memoryview(_table_bytes(value))
        else:
            kind = "array"
            dtype, shape, data = _array_bytes(value)
        entries.append(
            {
                "name": name,
                "kind": kind,
                "dtype": dtype,
                "shape": shape,
                "offset": offset,
                "length": len(data),
                "sha256": hashlib.sha256(data).hexdigest(),
            }
        )
        fh.write(data)
        pad = -len(data) % ALIGN
        fh.write(b"\0" * pad)
        offset += len(data) + pad
    manifest = json.dumps(
        {"format": FORMAT, "version": VERSION, "sections": entries, "meta": meta},
        ensure_ascii=False,
        allow_nan=False,
        separators=(",", ":"),
    ).encode("utf-8")
    fh.write(manifest)
    fh.seek(0)
    fh.write(MAGIC + offset.to_bytes(8, "little") + len(manifest).to_bytes(8, "little"))
    fh.write(hashlib.sha256(manifest).digest())


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def remove_stale_temp_files(file: Path) -> list[Path]:
    """Delete temporary files of ``file`` left by a killed save (their pid is gone); returns them."""
    removed: list[Path] = []
    prefix = f".{file.name}."
    try:
        candidates = [p for p in file.parent.iterdir() if p.name.startswith(prefix) and p.name.endswith(".tmp")]
    except OSError:
        return removed
    for tmp in candidates:
        pid_text = tmp.name[len(prefix) :].split(".", 1)[0]
        if not pid_text.isdigit() or int(pid_text) == os.getpid() or _pid_alive(int(pid_text)):
            continue
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
            removed.append(tmp)
    return removed


def _fsync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems cannot fsync a folder; the rename itself is still atomic
    finally:
        os.close(fd)


def write_store_file(file: Path, sections: Iterable[Section], meta: Mapping[str, Any]) -> None:
    """Write a store file atomically: a temporary file in the same folder, fsync, rename, fsync the folder.

    The caller holds the writer lock. On any failure the temporary file is
    removed, the old file is untouched and StoreError names the file.
    """
    file.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temp_files(file)
    tmp = file.with_name(f".{file.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        # private to its owner, as the data is (the bank's clients and their managers)
        with os.fdopen(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as fh:
            _write_all(fh, sections, meta)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, file)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise StoreError(f"cannot save the graph to {file}: {exc.strerror or exc}") from exc
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    _fsync_folder(file.parent)


# -- reading ------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Entry:
    name: str
    kind: str
    dtype: str | None
    shape: tuple[int, ...] | None
    offset: int
    length: int
    sha256: str


def _is_int(value: Any) -> TypeGuard[int]:
    return type(value) is int


def _entry(raw: Any, limit: int) -> _Entry:
    """One manifest section entry, checked; ValueError says what is wrong."""
    if not isinstance(raw, dict):
        raise ValueError("a section entry is not an object")
    name, kind, dtype, shape = raw.get("name"), raw.get("kind"), raw.get("dtype"), raw.get("shape")
    offset, length, digest = raw.get("offset"), raw.get("length"), raw.get("sha256")
    if not isinstance(name, str) or not 0 < len(name) <= 300:
        raise ValueError("a section has no valid name")
    if not _is_int(offset) or not _is_int(length):
        raise ValueError(f"section {name!r} has an invalid offset or length")
    if offset < HEADER_SIZE or length < 0 or offset % ALIGN:
        raise ValueError(f"section {name!r} has an invalid offset or length")
    if offset + length > limit:
        raise ValueError(f"section {name!r} runs past the end of its data ({offset + length} > {limit} bytes)")
    if not isinstance(digest, str) or len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        raise ValueError(f"section {name!r} has no valid checksum")
    if kind == "array":
        if dtype not in ARRAY_DTYPES:
            raise ValueError(f"section {name!r} has dtype {dtype!r}; only numeric arrays are allowed")
        if not isinstance(shape, list) or not 1 <= len(shape) <= 2 or not all(_is_int(s) and s >= 0 for s in shape):
            raise ValueError(f"section {name!r} has an invalid shape")
        count = 1
        for s in shape:
            count *= s
        if count * np.dtype(dtype).itemsize != length:
            raise ValueError(f"section {name!r}: shape {shape} does not match its {length} bytes")
        return _Entry(name, kind, dtype, tuple(shape), offset, length, digest)
    if kind == "arrow":
        return _Entry(name, kind, None, None, offset, length, digest)
    raise ValueError(f"section {name!r} has unknown kind {kind!r}")


def _allowed_type(t: pa.DataType) -> bool:
    if pa.types.is_dictionary(t):
        return pa.types.is_integer(t.index_type) and _allowed_type(t.value_type)
    if pa.types.is_list(t) or pa.types.is_large_list(t):
        return _allowed_type(t.value_type)
    return bool(
        pa.types.is_string(t)
        or pa.types.is_large_string(t)
        or pa.types.is_int64(t)
        or pa.types.is_int32(t)
        or pa.types.is_int8(t)
        or pa.types.is_float64(t)
        or pa.types.is_boolean(t)
        or pa.types.is_null(t)
    )


def _offsets_fit(offsets_buffer: pa.Buffer | None, dtype: str, start: int, count: int, limit: int) -> None:
    """Offsets ``start .. start + count`` of a variable-size array: non-negative, ascending, at most ``limit``."""
    if count == 0:
        return
    if offsets_buffer is None:
        raise ValueError("a text or list column has no offsets")
    offsets = np.frombuffer(offsets_buffer, dtype=dtype)
    if len(offsets) < start + count + 1:
        raise ValueError("a text or list column's offsets are too short")
    used = offsets[start : start + count + 1]
    if int(used[0]) < 0 or int(used[-1]) > limit or bool(np.any(used[1:] < used[:-1])):
        raise ValueError("a text or list column's offsets point outside its data")


def check_layout(arr: pa.Array) -> None:
    """Check that an Arrow array's offsets and dictionary codes stay inside its buffers (ValueError if not).

    What :meth:`pyarrow.Array.validate` with ``full=True`` checks that could
    send a read out of bounds, without decoding every string: vectorised
    over the offsets, milliseconds for a million rows. Text that is not UTF-8
    fails later, when a value is read (UnicodeDecodeError).
    """
    t = arr.type
    if pa.types.is_dictionary(t):
        assert isinstance(arr, pa.DictionaryArray)
        check_layout(arr.dictionary)
        if len(arr) - arr.null_count:
            low_high = pc.min_max(arr.indices).as_py()  # nulls are skipped: their codes may be anything
            if low_high["min"] < 0 or low_high["max"] >= len(arr.dictionary):
                raise ValueError("dictionary codes out of range")
    elif pa.types.is_string(t) or pa.types.is_large_string(t):
        buffers = arr.buffers()
        data = 0 if buffers[2] is None else buffers[2].size
        _offsets_fit(buffers[1], "<i4" if pa.types.is_string(t) else "<i8", arr.offset, len(arr), data)
    elif pa.types.is_list(t) or pa.types.is_large_list(t):
        assert isinstance(arr, pa.ListArray | pa.LargeListArray)
        values = arr.values
        _offsets_fit(arr.buffers()[1], "<i4" if pa.types.is_list(t) else "<i8", arr.offset, len(arr), len(values))
        check_layout(values)


class StoreFile:
    """An opened store file: its manifest, arrays (memory-mapped) and tables, every section checked."""

    def __init__(self, file: Path, buffer: mmap.mmap | bytes, meta: dict[str, Any], entries: dict[str, _Entry]):
        self.file = file
        self._buffer = buffer
        self.meta = meta
        self._entries = entries
        #: every section's checksum was verified (then tables are also validated in full when read)
        self.verified = False

    @classmethod
    def open(cls, path: str | Path, verify: bool | None = None) -> StoreFile:
        """Open and check a store file; StoreUnavailable with one line if it is missing, old or damaged.

        Always checked: the header, the manifest's checksum, and every
        section's position, size and type. Section checksums are verified
        here when ``verify`` is true or, by default, when the file is at
        most :data:`EAGER_VERIFY_BYTES`: hashing a 1M-company file (900 MB)
        takes seconds, more than a whole query may. A larger file's sections
        are checked structurally when used (:meth:`table`, and the reader's
        checks of codes and positions), so a crafted file still cannot run
        code or read outside its arrays, and :meth:`verify` (``guanxi
        doctor``) hashes them all.
        """
        file = Path(path)
        try:
            fd = os.open(file, os.O_RDONLY | os.O_NONBLOCK)  # a FIFO must not block the open
        except FileNotFoundError:
            raise StoreUnavailable(
                f"no embedded graph at {file}; create it with `guanxi load FILES --store {file}`"
            ) from None
        except OSError as exc:
            raise StoreUnavailable(f"cannot read {file}: {exc.strerror or exc}") from None
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                raise not_a_store(file, "it is not a regular file")
            size = st.st_size
            head = os.pread(fd, HEADER_SIZE, 0)
            cls._check_head(file, head, size)
            buffer: mmap.mmap | bytes = mmap.mmap(fd, size, access=mmap.ACCESS_READ) if size else b""
        except OSError as exc:
            raise StoreUnavailable(f"cannot read {file}: {exc.strerror or exc}") from None
        finally:
            os.close(fd)
        try:
            meta, entries = cls._manifest(memoryview(buffer), size)
        except (ValueError, TypeError, KeyError, OverflowError, RecursionError, UnicodeDecodeError) as exc:
            raise not_a_store(file, str(exc) or type(exc).__name__) from None
        opened = cls(file, buffer, meta, entries)
        if verify or (verify is None and size <= EAGER_VERIFY_BYTES):
            opened.verify()
        return opened

    def verify(self) -> None:
        """Hash every section and compare with the manifest; StoreUnavailable naming the first damaged one."""
        for entry in self._entries.values():
            if hashlib.sha256(self._bytes(entry)).hexdigest() != entry.sha256:
                raise not_a_store(self.file, f"section {entry.name!r} is damaged (checksum mismatch)")
        self.verified = True

    @staticmethod
    def _check_head(file: Path, head: bytes, size: int) -> None:
        if head.startswith(_PICKLE_STARTS):
            raise StoreUnavailable(
                f"{file} was written by an older guanxi (a pickle file, which guanxi no longer opens "
                f"because opening one can run code); {rebuild_hint(file)}"
            )
        if len(head) < HEADER_SIZE:
            raise not_a_store(file, f"only {size} bytes, shorter than the header")
        if not head.startswith(MAGIC):
            raise not_a_store(file, "it does not start with the guanxi store header")

    @staticmethod
    def _manifest(view: memoryview, size: int) -> tuple[dict[str, Any], dict[str, _Entry]]:
        offset = int.from_bytes(view[16:24], "little")
        length = int.from_bytes(view[24:32], "little")
        if not HEADER_SIZE <= offset <= size or length > MAX_MANIFEST or offset + length != size:
            raise ValueError(f"the header's manifest position ({offset}, {length} bytes) does not fit the file")
        raw = bytes(view[offset : offset + length])
        if hashlib.sha256(raw).digest() != bytes(view[32:64]):
            raise ValueError("the manifest is damaged (checksum mismatch)")
        manifest = json.loads(raw.decode("utf-8"))
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise ValueError("the manifest does not name the guanxi-store format")
        if manifest.get("version") != VERSION:
            raise ValueError(f"format version {manifest.get('version')!r}, this guanxi reads version {VERSION}")
        meta, raw_sections = manifest.get("meta"), manifest.get("sections")
        if not isinstance(meta, dict) or not isinstance(raw_sections, list) or len(raw_sections) > MAX_SECTIONS:
            raise ValueError("the manifest has no valid meta or section list")
        entries: dict[str, _Entry] = {}
        end = HEADER_SIZE
        for entry in sorted((_entry(r, offset) for r in raw_sections), key=lambda e: e.offset):
            if entry.name in entries:
                raise ValueError(f"section {entry.name!r} appears twice")
            if entry.offset < end:
                raise ValueError(f"section {entry.name!r} overlaps the one before it")
            entries[entry.name] = entry
            end = entry.offset + entry.length
        return meta, entries

    def _bytes(self, entry: _Entry) -> memoryview:
        return memoryview(self._buffer)[entry.offset : entry.offset + entry.length]

    def has(self, name: str) -> bool:
        """Whether the file holds a section of that name."""
        return name in self._entries

    def names(self) -> list[str]:
        """The sections' names, in file order."""
        return list(self._entries)

    def _get(self, name: str, kind: str) -> _Entry:
        entry = self._entries.get(name)
        if entry is None or entry.kind != kind:
            raise not_a_store(self.file, f"it has no {kind} section {name!r}")
        return entry

    def array(self, name: str, dtype: str | None = None, length: int | None = None) -> np.ndarray:
        """A read-only array mapped from the file; StoreUnavailable if absent or not of ``dtype``/``length``."""
        entry = self._get(name, "array")
        if dtype is not None and entry.dtype != np.dtype(dtype).str:
            raise not_a_store(self.file, f"section {name!r} has dtype {entry.dtype}, expected {np.dtype(dtype).str}")
        assert entry.dtype is not None and entry.shape is not None  # checked in _entry for arrays
        if length is not None and entry.shape[0] != length:
            raise not_a_store(self.file, f"section {name!r} has {entry.shape[0]} rows, expected {length}")
        count = entry.length // np.dtype(entry.dtype).itemsize
        arr = np.frombuffer(self._buffer, dtype=np.dtype(entry.dtype), count=count, offset=entry.offset)
        return arr.reshape(entry.shape)

    def table(self, name: str, rows: int | None = None, layout: bool = True) -> pa.Table:
        """An Arrow table read from the file, its types and layout validated; StoreUnavailable otherwise.

        ``layout=False`` leaves out the check of every column's offsets and
        dictionary codes (:func:`check_layout`) for a caller that checks the
        columns it uses, when it uses them: at a million rows the offsets of
        every text column are hundreds of megabytes of the file, read for a
        query that decodes ten rows. Buffer sizes are checked either way,
        and a verified file's tables are always validated in full.
        """
        entry = self._get(name, "arrow")
        try:
            reader = ipc.open_stream(pa.py_buffer(self._bytes(entry)))
            bad = [f.name for f in reader.schema if not _allowed_type(f.type)]
            if bad:
                raise ValueError(f"columns of types a store does not hold: {', '.join(bad[:3])}")
            table = reader.read_all()
            if self.verified:
                table.validate(full=True)
            else:  # bounds only: full validation reads every string (0.4 s for a million names)
                table.validate()
                for column in table.columns if layout else ():
                    for chunk in column.chunks:
                        check_layout(chunk)
        except (pa.ArrowException, ValueError, TypeError, OverflowError) as exc:
            raise not_a_store(self.file, f"section {name!r} is not a valid table ({str(exc)[:200]})") from None
        if rows is not None and table.num_rows != rows:
            raise not_a_store(self.file, f"section {name!r} has {table.num_rows} rows, expected {rows}")
        return table

    def bad(self, why: str) -> StoreUnavailable:
        """The error for a file whose contents disagree with each other."""
        return not_a_store(self.file, why)


# -- the writer lock ----------------------------------------------------------------------
class WriterLock:
    """An exclusive lock on ``<file>.lock`` held by the one process writing the store file.

    ``fcntl.flock`` locks are released by the kernel when the process ends,
    so a killed writer never leaves the store locked. The holder writes its
    pid into the lock file, so a writer that gives up can say who holds it.
    """

    def __init__(self, file: Path) -> None:
        self.file = file
        self.lock_path = file.with_name(file.name + ".lock")
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        """Whether this object holds the lock now."""
        return self._fd is not None

    def acquire(self, timeout: float = DEFAULT_LOCK_TIMEOUT, poll: float = 0.05) -> None:
        """Wait at most ``timeout`` seconds for the lock; StoreUnavailable naming the holder's pid if it stays taken."""
        if self._fd is not None:
            return
        self.file.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise StoreUnavailable(f"cannot lock {self.file} ({self.lock_path}): {exc.strerror or exc}") from None
        deadline = time.monotonic() + max(0.0, timeout)
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                    os.close(fd)
                    raise StoreUnavailable(f"cannot lock {self.file}: {exc.strerror or exc}") from None
            if time.monotonic() >= deadline:
                holder = self._holder(fd)
                os.close(fd)
                raise StoreUnavailable(
                    f"{self.file} is being written by another guanxi ({holder}); gave up after waiting "
                    f"{timeout:g} s — try again when it has finished (GUANXI_LOCK_TIMEOUT sets the wait)"
                )
            time.sleep(poll)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._fd = fd

    @staticmethod
    def _holder(fd: int) -> str:
        try:
            text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
        except OSError:
            text = ""
        return f"pid {text}" if text.isdigit() else "pid unknown"

    def release(self) -> None:
        """Let the next writer in (the lock file itself stays: removing it would race with waiters)."""
        fd, self._fd = self._fd, None
        if fd is not None:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)
            os.close(fd)  # closing the descriptor releases the flock

    def __del__(self) -> None:
        self.release()


def lock_timeout(env: Mapping[str, str] | None = None) -> float:
    """The writer's wait from ``GUANXI_LOCK_TIMEOUT`` (seconds), or the default."""
    from graph.errors import ConfigError

    raw = (os.environ if env is None else env).get("GUANXI_LOCK_TIMEOUT", "").strip()
    if not raw:
        return DEFAULT_LOCK_TIMEOUT
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 <= value < 1e9:
        raise ConfigError(f"GUANXI_LOCK_TIMEOUT must be a number of seconds (0 or more), got {raw!r}")
    return value


def file_stamp(file: Path) -> tuple[int, int, int, int] | None:
    """Identity of the file's current version (device, inode, size, mtime); None if there is none."""
    try:
        st = os.stat(file)
    except OSError:
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def sections_named(prefix: str, names: Sequence[str]) -> list[str]:
    """The section names that start with ``prefix``, without it."""
    return [n[len(prefix) :] for n in names if n.startswith(prefix)]
