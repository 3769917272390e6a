"""Source bytes -> text, the way Python reads a module (PEP 3120, PEP 263).

A module is UTF-8, optionally after a byte order mark, unless a comment on
its first or second line declares another encoding (``# -*- coding:
latin-1 -*-``).  adxform reads the modules Python reads and refuses the
others with a ``bad-encoding`` diagnostic at the offending line and column:
an unknown declared encoding, bytes the encoding cannot decode, and UTF-16
or UTF-32 (which Python cannot import either).

The text keeps a UTF-8 byte order mark as U+FEFF, so that ``source_bytes``
gives back the file's bytes (the header's sha256 is the file's own); the
parser skips it (``strip_bom``).
"""

from __future__ import annotations

import codecs
import io
import re
import tokenize

from .. import ir
from ..diagnostics import Reporter

BOM = "\ufeff"
WIDE_BOMS = [(codecs.BOM_UTF32_LE, "UTF-32"), (codecs.BOM_UTF32_BE, "UTF-32"),  # before UTF-16: FF FE 00 00
             (codecs.BOM_UTF16_LE, "UTF-16"), (codecs.BOM_UTF16_BE, "UTF-16")]
COOKIE = re.compile(r"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)", re.ASCII)  # PEP 263, as tokenize reads it
UTF8_NOTE = "save the module as UTF-8, or declare its encoding on its first line: # -*- coding: latin-1 -*-"


def decode_source(data: bytes, filename: str) -> str:
    """The text of a module's bytes; raises DiagnosticError [bad-encoding]."""
    wide = next((name for bom, name in WIDE_BOMS if data.startswith(bom)), None)
    reporter = Reporter(filename, data.decode(wide or "utf-8", errors="replace"))
    if wide is not None:
        reporter.error(ir.Pos(1, 1), f"the source is {wide} (it starts with a {wide} byte order mark); Python "
                       "reads modules in an encoding that keeps ASCII as it is", "bad-encoding", note=UTF8_NOTE)
        reporter.check()
    encoding = _encoding(data, reporter)
    reporter.check()
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as err:
        reporter.error(_position(data, err.start, encoding), f"the source is not valid {encoding}: byte "
                       f"0x{data[err.start]:02x} cannot be decoded", "bad-encoding", note=UTF8_NOTE)
    reporter.check()
    return BOM + text if encoding == "utf-8-sig" else text


def check_declared_encoding(text: str, reporter: Reporter) -> None:
    """Refuse a text (the API's ``source``) that declares an encoding
    Python does not know: a file holding it would not import."""
    cookie = _cookie(strip_bom(text).splitlines())
    if cookie is not None and _known(cookie[1]) is None:
        _unknown(reporter, *cookie)


def source_bytes(text: str) -> bytes:
    """The bytes of the file ``text`` was read from: ``text`` in the
    encoding its first two lines declare (UTF-8 where none is, or where the
    API was given a text that encoding cannot hold, which no file decodes to)."""
    try:
        return text.encode(_declared_or_utf8(text))
    except UnicodeEncodeError:
        return text.encode("utf-8")


def strip_bom(text: str) -> str:
    return text[1:] if text.startswith(BOM) else text


def _encoding(data: bytes, reporter: Reporter) -> str:
    """The encoding Python reads ``data`` in (tokenize.detect_encoding);
    where the declaration is the problem, "utf-8" after reporting it; where
    there is none, "utf-8", whose decoding reports the first bad byte."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as err:
        cookie = _cookie(_byte_lines(data))
        if cookie is not None:
            pos, name = cookie
            if _known(name) is None:
                _unknown(reporter, pos, name)
            else:
                reporter.error(pos, f"the source cannot be read in the encoding it declares, '{name}' ({err.msg})",
                               "bad-encoding", note=UTF8_NOTE)
        return "utf-8"
    if b"#".decode(encoding, errors="replace") != "#":
        pos, name = _cookie(_byte_lines(data)) or (ir.Pos(1, 1), encoding)
        reporter.error(pos, f"the declared encoding '{name}' does not keep ASCII as it is, so Python cannot read "
                       "the declaration itself", "bad-encoding", note=UTF8_NOTE)
        return "utf-8"
    return encoding


def _cookie(lines: list[str]) -> tuple[ir.Pos, str] | None:
    """Where the first two lines declare an encoding, and its name; as
    tokenize reads it, a declaration on line 2 counts only below a comment
    or a blank line."""
    for number, line in enumerate(lines[:2], 1):
        match = COOKIE.match(line)
        if match is not None:
            return ir.Pos(number, match.start(1) + 1), match.group(1)
        if line.strip() and not line.lstrip().startswith("#"):
            return None
    return None


def _byte_lines(data: bytes) -> list[str]:
    """The first two lines of ``data``, in latin-1: any byte is a character, ASCII stays as it is."""
    return data.removeprefix(codecs.BOM_UTF8).decode("latin-1").split("\n")[:2]


def _known(name: str) -> str | None:
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _declared_or_utf8(text: str) -> str:
    cookie = _cookie(strip_bom(text).splitlines())
    return (_known(cookie[1]) if cookie is not None else None) or "utf-8"


def _unknown(reporter: Reporter, pos: ir.Pos, name: str) -> None:
    reporter.error(pos, f"unknown encoding '{name}' declared", "bad-encoding", note=UTF8_NOTE)


def _position(data: bytes, offset: int, encoding: str) -> ir.Pos:
    """The line and column (in characters, from 1) of byte ``offset``."""
    line_start = data.rfind(b"\n", 0, offset) + 1
    column = len(data[line_start:offset].decode(encoding, errors="replace")) + 1
    return ir.Pos(data.count(b"\n", 0, offset) + 1, column)
