"""Where each statement of a policy sits in its JSON text, as IAM's policy simulator reports it.

Only the simulator asks, so positions are computed on demand from the text (the evaluation path never pays for
them) and memoised per document text.

AWS's figures (``StartPosition``/``EndPosition`` of ``MatchedStatements``) are those of a streaming JSON
reader's "current location": lines count from 1, and the column is the 1-based column of the character *after*
the token just read.  The end is read just after the statement's closing ``}``; the start just before the
reader takes the statement's ``{`` token: after the ``[`` (first statement of a list) or after the previous
statement's ``}``.  When ``Statement`` holds a single object the reader has already consumed its ``{`` together
with the field name, so the start is just after that ``{``.  Both documented AWS examples agree with these
rules: a one-line policy whose single statement starts at ``{`` index 36 reports column 38, and a
console-formatted policy (``"Statement": [`` on line 3, closing ``}`` indented by 8 on line 9) reports
``(3, 19)``-``(9, 10)``.
"""

from __future__ import annotations

import json
import re

from .text_cache import TEXT_BUDGET, kept_within

Position = tuple[int, int]
_STRING_BODY = re.compile(r'[^"\\]*(?:\\.[^"\\]*)*', re.DOTALL)
"""A JSON string's characters up to its closing quote (escapes kept as written): read by the regex engine, not a
character at a time (a 130,000-character value took 70 ms in Python)."""
_SCALAR = re.compile(r"[^,}\] \t\r\n]*")


class _Reader:
    """A cursor over JSON text that knows its line and column."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.at = 0
        self.line = 1
        self.line_start = 0

    def location(self) -> Position:
        """(line, 1-based column of the next character)."""
        return self.line, self.at - self.line_start + 1

    def skip_space(self) -> None:
        text = self.text
        while self.at < len(text) and text[self.at] in " \t\r\n":
            # A line ends at \n, at \r\n, and at a lone \r (recorded from AWS, 2026-09-11: radkawar/stackd,
            # testdata/aws/iam/simulation.json, "custom_cr_only_positions", "custom_crlf_positions").
            if text[self.at] == "\n" or (text[self.at] == "\r" and text[self.at + 1:self.at + 2] != "\n"):
                self.line, self.line_start = self.line + 1, self.at + 1
            self.at += 1

    def peek(self) -> str:
        self.skip_space()
        return self.text[self.at] if self.at < len(self.text) else ""

    def take(self) -> str:
        char = self.peek()
        self.at += 1
        return char

    def string(self) -> str:
        """The raw text of a JSON string starting at the cursor (escapes left as written)."""
        self.take()
        start = self.at
        self.at = _STRING_BODY.match(self.text, start).end() + 1
        return self.text[start:self.at - 1]

    def value(self) -> None:
        """Skip one JSON value of any kind (strings never span lines in valid JSON; objects and arrays may)."""
        char = self.peek()
        if char == '"':
            self.string()
        elif char in "{[":
            closing = "}" if char == "{" else "]"
            self.take()
            while self.peek() not in (closing, ""):
                if char == "{":
                    self.string()
                    self.take()  # ':'
                self.value()
                if self.peek() == ",":
                    self.take()
            self.take()
        else:
            self.at = _SCALAR.match(self.text, self.at).end()


@kept_within(TEXT_BUDGET, 1024)
def statement_positions(text: str) -> tuple[tuple[Position, Position], ...]:
    """(start, end) of each statement of the policy ``text``, in document order; ``()`` if it cannot be read."""
    reader = _Reader(text)
    try:
        if reader.take() != "{":
            return ()
        while reader.peek() == '"':
            name = _decoded(reader.string())
            reader.take()  # ':'
            if name != "Statement":
                reader.value()
            elif reader.peek() == "{":
                reader.take()
                start = reader.location()
                reader.at -= 1
                reader.value()
                return ((start, reader.location()),)
            else:
                return _list_positions(reader)
            if reader.peek() == ",":
                reader.take()
    except IndexError:
        return ()
    return ()


def _decoded(raw: str) -> str:
    """A field name as the reader returns it: its escapes decoded (``"St\\u0061tement"`` is ``Statement``)."""
    if "\\" not in raw:
        return raw
    try:
        return json.loads(f'"{raw}"')
    except ValueError:
        return raw


def _list_positions(reader: _Reader) -> tuple[tuple[Position, Position], ...]:
    reader.take()  # '['
    found = []
    start = reader.location()
    while reader.peek() == "{":
        reader.value()
        end = reader.location()
        found.append((start, end))
        start = end
        if reader.peek() == ",":
            reader.take()
    return tuple(found)
