"""The one exception a user ever sees, and how user text is shown inside a message."""

from __future__ import annotations

import re


class LrcliError(Exception):
    """A mistake in the user's input: the CLI prints it as one line and exits with code 2.

    The message says what is wrong, where, and how to fix it.
    """


# A name or path that reads the same quoted or not: shown bare, as the user typed it.
_PLAIN = re.compile(r"[\w./+=:,@%~-]+")
SHOWN_CHARS = 120  # longer user text is cut in the middle: the start says what it is, the end which file
MESSAGE_CHARS = 1000  # a whole stderr line; longer ones are cut in the middle (a message never needs more)
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def shown(text: object, limit: int = SHOWN_CHARS) -> str:
    """User text (a path, a name) as it goes into a message: bare when it is a plain word or path, else `quoted`,
    so that a newline or other control character in it cannot split the message."""
    text = text if isinstance(text, str) else repr(text)
    if _PLAIN.fullmatch(text) and len(text) <= limit:
        return text
    return quoted(text, limit)


def quoted(text: str, limit: int = SHOWN_CHARS) -> str:
    """`repr(text)` (quotes, control characters escaped: `'a\\nb.jsonl'`), at most `limit` characters:
    longer text is cut in the middle (`'xxxx…xxxx' (304 characters)`), keeping the start and the end."""
    return cut(repr(text), limit)


def cut(text: str, limit: int = SHOWN_CHARS) -> str:
    """`text`, or its start and end around `…` with its length, when longer than `limit` characters."""
    if len(text) <= limit:
        return text
    return f"{text[: limit * 2 // 3]}…{text[-(limit // 3) :]} ({len(text):,} characters)"


def one_line(message: str, limit: int = MESSAGE_CHARS) -> str:
    """`message` as one terminal line: control characters escaped (a newline in user text cannot start a second
    line) and cut in the middle beyond `limit` characters."""
    message = _CONTROL.sub(lambda m: repr(m.group())[1:-1], message)
    if len(message) <= limit:
        return message
    return f"{message[: limit * 2 // 3]} … [{len(message) - limit:,} characters cut] … {message[-(limit // 4) :]}"
