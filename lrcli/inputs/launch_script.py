"""A bash launch script (`train.sh`) into the commands it runs, as bash would expand them.

Pretraining and RL frameworks are launched from shell scripts: Megatron-LM passes its arguments through bash arrays
(`TRAINING_ARGS=(--lr 6e-5 …)`, `torchrun ${DISTRIBUTED_ARGS[@]} pretrain_gpt.py ${TRAINING_ARGS[@]}`), torchtitan
and ms-swift through variables and line continuations, verl as Hydra overrides after `python3 -m
verl.trainer.main_ppo`. This module reads such a script the way bash expands it — quotes, `\\` continuations,
`$VAR`/`${VAR}`/`${VAR:-default}`, arrays and `${A[@]}`, `$((arithmetic))`, word splitting of unquoted expansions,
`VAR=x cmd` prefixes — and gives each simple command's argv. Parsing options out of those arguments is the
framework dialect's job.

What a script learns only when it runs is kept as its text: a variable never assigned in the script (`$HOME`,
`$CHECKPOINT_PATH` from the environment), `$1`, `$(command)`. The script is read as if run with no arguments (`$@`
and `$*` are empty, `$#` is 0), top to bottom: `if`/`for`/`while` are not evaluated, their bodies are read as
straight-line commands (launch scripts set their values unconditionally; a value set in both branches of an `if` ends
as the last one). tests/test_launch_script.py compares the argv with what bash itself passes to the commands.
"""

from __future__ import annotations

import ast
import operator
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from lrcli.errors import LrcliError, shown
from lrcli.inputs.bounded import read_text

SCRIPT_BYTES = 1 << 20
MAX_WORDS = 200_000  # words after expansion, over the whole script: arrays expanded into arrays cannot blow up

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ASSIGNMENT = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)(\+?)=")
# a redirection operator with its optional file descriptor: `2>&1`, `> log`, `&>> log`, `<<EOF`
_REDIRECTION = re.compile(r"(?:\d+|&)?(>>|>&|>\||<<<|<<-|<<|<&|<>|>|<)")
_KEYWORDS_DROPPED = frozenset({"then", "else", "do", "!", "{", "time"})
_KEYWORDS_ENDING = frozenset({"fi", "done", "esac", "}"})
_KEYWORDS_CONDITION = frozenset({"if", "elif", "while", "until"})
_DECLARATIONS = frozenset({"export", "declare", "typeset", "local", "readonly"})


@dataclass(frozen=True)
class LaunchCommand:
    """One simple command of a script: its words after expansion (the program first), the line it starts on, and
    the variables in force for it (the script's assignments so far, then its own `VAR=x` prefixes)."""

    argv: tuple[str, ...]
    line: int
    env: Mapping[str, str] = field(default_factory=dict, compare=False)


def script_commands(path: Path) -> list[LaunchCommand]:
    """The commands of the launch script at `path`, in order."""
    return launch_commands(read_text(path, f"launch script {path}", limit=SCRIPT_BYTES), str(path))


def entry_arguments(command: LaunchCommand, entry_points: Iterable[str]) -> tuple[str, list[str]] | None:
    """The arguments a framework's entry point receives: those after the first word naming one of `entry_points`
    (a script by its file name, `pretrain_gpt.py`; a module run with `-m`, `torchtitan.train`; a console script,
    `swift`), whatever launcher (torchrun, python -m, deepspeed, accelerate launch, …) and its options come before.
    None when the command runs none of them."""
    wanted = set(entry_points)
    for index, word in enumerate(command.argv):
        if word in wanted or word.rsplit("/", 1)[-1] in wanted:
            return word, list(command.argv[index + 1:])
    return None


def option_values(arguments: Iterable[str]) -> list[tuple[str, list[str]]]:
    """argparse-style options in order: `--name value…`, `--name=value`, a bare flag (no values). A word that is a
    negative number (`-1`, `-1e-4`) is a value, not an option. Words before the first option are skipped."""
    found: list[tuple[str, list[str]]] = []
    for word in arguments:
        if word.startswith("-") and len(word) > 1 and not _is_number(word):
            name, equals, value = word.partition("=")
            found.append((name, [value] if equals else []))
        elif found:
            found[-1][1].append(word)
    return found


def _is_number(word: str) -> bool:
    try:
        float(word)
    except ValueError:
        return False
    return True


class _Unparsed(Exception):
    """A construct this reader does not expand (kept as its text)."""


def launch_commands(text: str, name: str) -> list[LaunchCommand]:
    """The commands of a launch script's text; `name` says where it came from in messages."""
    return _Reader(text, name).commands()


class _Reader:
    def __init__(self, text: str, name: str) -> None:
        self.text = text.replace("\r\n", "\n")
        self.name = name
        self.pos = 0
        self.line = 1
        self.variables: dict[str, str] = {}
        self.arrays: dict[str, list[str]] = {}
        self.heredocs: list[tuple[str, bool]] = []
        self.words_made = 0
        self.elements = False  # the last expansion was `[@]`/`$@`: one field per element even when quoted

    # ---- characters -------------------------------------------------------------------------------------------
    def _peek(self, offset: int = 0) -> str:
        at = self.pos + offset
        return self.text[at] if at < len(self.text) else ""

    def _take(self) -> str:
        char = self.text[self.pos]
        self.pos += 1
        if char == "\n":
            self.line += 1
        return char

    def _error(self, what: str) -> LrcliError:
        return LrcliError(f"launch script {shown(self.name)} line {self.line}: {what}; lrcli reads the script as bash "
                          "would run it: fix the script, or give the framework's settings as a config file or flags")

    # ---- commands ---------------------------------------------------------------------------------------------
    def commands(self) -> list[LaunchCommand]:
        found: list[LaunchCommand] = []
        while self.pos < len(self.text):
            command = self._command()
            if command is not None:
                found.append(command)
        return found

    def _command(self) -> LaunchCommand | None:
        """Reads words up to a command separator; applies assignments; returns the command it runs, if any."""
        words: list[tuple[str, list[str], int]] = []  # (raw text, fields after expansion, line)
        prefix: dict[str, str] = {}
        start_line = self.line
        while True:
            self._skip_blanks()
            char = self._peek()
            if char == "":
                break
            if char == "\n":
                self._take()
                self._skip_heredocs()
                if words or prefix:
                    break
                start_line = self.line
                continue
            if char == "#":
                self._skip_comment()
                continue
            redirection = _REDIRECTION.match(self.text, self.pos)
            if redirection:
                self._redirection(redirection)
                continue
            if char in ";&|()":
                self._take()
                while self._peek() in ";&|":
                    self._take()
                if words or prefix:
                    break
                start_line = self.line
                continue
            raw_start, line = self.pos, self.line
            assignment = _ASSIGNMENT.match(self.text, self.pos)
            declaration = bool(words) and words[0][0] in _DECLARATIONS
            if assignment and (not words or declaration):
                self.pos = assignment.end()
                target, append = assignment.group(1), assignment.group(2) == "+"
                if self._peek() == "(":
                    self._take()
                    self._assign_array(target, self._array_elements(), append)
                else:
                    value = " ".join(self._word()) if self._peek() not in " \t\n;&|()" else ""
                    if declaration or not words:
                        prefix[target] = (self.variables.get(target, "") if append else "") + value
                continue
            fields = self._word()
            raw = self.text[raw_start:self.pos]
            if not words and raw in _KEYWORDS_DROPPED | _KEYWORDS_ENDING | _KEYWORDS_CONDITION:
                continue  # `then cmd`, `do cmd`: the command after the keyword is read as any other
            if not words and raw in ("for", "case", "select", "function"):
                self._skip_to_separator()
                continue
            words.append((raw, fields, line))
            if len(words) == 1:
                start_line = line
        if not words:
            # `A=1 B=2` alone, or `export A=1`: the script's variables from here on
            self.variables.update(prefix)
            return None
        if words[0][0] in _DECLARATIONS:
            self.variables.update(prefix)
            return None
        argv = tuple(word for _, fields, _ in words for word in fields)
        if not argv:
            return None
        return LaunchCommand(argv, start_line, {**self.variables, **prefix})

    def _redirection(self, match: re.Match[str]) -> None:
        """Skips a redirection and its target (neither is an argument); a here-document's body is skipped at the
        end of its line."""
        self.pos = match.end()
        operator_text = match.group(1)
        if operator_text in (">&", "<&") and re.match(r"-|\d+", self.text[self.pos:]):
            self.pos += re.match(r"-|\d+", self.text[self.pos:]).end()
            return
        self._skip_blanks()
        if operator_text in ("<<", "<<-"):
            word_start = self.pos
            self._word()
            self.heredocs.append((self.text[word_start:self.pos].strip("'\""), operator_text == "<<-"))
        else:
            self._word()

    def _skip_blanks(self) -> None:
        while True:
            char = self._peek()
            if char in (" ", "\t"):
                self._take()
            elif char == "\\" and self._peek(1) == "\n":
                self._take()
                self._take()
            else:
                return

    def _skip_comment(self) -> None:
        while self._peek() not in ("", "\n"):
            self._take()

    def _skip_to_separator(self) -> None:
        while self._peek() not in ("", "\n", ";"):
            if self._peek() in "'\"":
                self._word()
            else:
                self._take()

    def _skip_heredocs(self) -> None:
        while self.heredocs:
            delimiter, strip_tabs = self.heredocs.pop(0)
            while self.pos < len(self.text):
                end = self.text.find("\n", self.pos)
                end = len(self.text) if end < 0 else end
                body_line = self.text[self.pos:end]
                self.pos = min(end + 1, len(self.text))
                self.line += 1
                if (body_line.lstrip("\t") if strip_tabs else body_line) == delimiter:
                    break

    def _assign_array(self, target: str, elements: list[str], append: bool) -> None:
        self.arrays[target] = (self.arrays.get(target, []) if append else []) + elements
        self.variables[target] = elements[0] if elements else ""

    def _array_elements(self) -> list[str]:
        elements: list[str] = []
        while True:
            self._skip_blanks()
            char = self._peek()
            if char == "":
                raise self._error("an array `(` is never closed")
            if char == "\n":
                self._take()
            elif char == "#":
                self._skip_comment()
            elif char == ")":
                self._take()
                return elements
            else:
                elements.extend(self._word())

    # ---- words ------------------------------------------------------------------------------------------------
    def _word(self) -> list[str]:
        """One shell word at the current position, expanded into its fields (zero, one or many)."""
        fields: list[str] = []
        current: str | None = None
        while True:
            char = self._peek()
            if char == "" or char in " \t\n;&|()<>":
                break
            if char == "\\":
                self._take()
                escaped = self._take() if self._peek() else ""
                if escaped != "\n":
                    current = (current or "") + escaped
            elif char == "'":
                self._take()
                current = (current or "") + self._until("'")
            elif char == '"':
                self._take()
                segments = self._double_quoted()
                for index, segment in enumerate(segments):
                    if index:  # "${A[@]}": each element its own field
                        fields.append(current or "")
                        current = None
                    current = (current or "") + segment
            elif char == "$" and self._peek(1) == "'":
                self._take()
                self._take()
                current = (current or "") + self._until("'").encode().decode("unicode_escape", "replace")
            elif char in "$`":
                # an unquoted expansion's fields: "" pieces mark where blanks split it (see _expansion)
                for index, piece in enumerate(self._expansion(quoted=False)):
                    if index and current is not None:
                        fields.append(current)
                        current = None
                    if piece:
                        current = (current or "") + piece
            else:
                current = (current or "") + self._take()
        if current is not None:
            fields.append(current)
        self.words_made += len(fields)
        if self.words_made > MAX_WORDS:
            raise self._error(f"more than {MAX_WORDS:,} words after expansion")
        return fields

    def _until(self, closing: str) -> str:
        end = self.text.find(closing, self.pos)
        if end < 0:
            raise self._error(f"a {closing} quote is never closed")
        text = self.text[self.pos:end]
        while self.pos <= end:
            self._take()
        return text

    def _double_quoted(self) -> list[str]:
        """The text of a double-quoted string, as segments: one, or one per element of a `"${A[@]}"`/`"$@"` in it."""
        segments = [""]
        only_elements = False  # "${A[@]}" of an empty array, and nothing else: no field at all
        while True:
            char = self._peek()
            if char == "":
                raise self._error('a " quote is never closed')
            if char == '"':
                self._take()
                return [] if only_elements and segments == [""] else segments
            if char == "\\" and self._peek(1) in '$`"\\\n':
                self._take()
                escaped = self._take()
                segments[-1] += "" if escaped == "\n" else escaped
            elif char in "$`":
                self.elements = False
                first = segments == [""]
                values = self._expansion(quoted=True)
                if self.elements:
                    if not values:
                        only_elements = first
                        continue
                    segments[-1] += values[0]
                    segments.extend(values[1:])
                else:
                    segments[-1] += " ".join(values)
            else:
                only_elements = False
                segments[-1] += self._take()

    def _expansion(self, *, quoted: bool) -> list[str]:
        """A `$…` or backquote expansion: its fields, split on blanks when unquoted (bash's default IFS); `[""]`-
        ended when the text ends in a blank, so the next characters start a new field."""
        start = self.pos
        try:
            values, splits = self._expand()
        except _Unparsed:
            return [self.text[start:self.pos]]
        if quoted or not splits:
            return values
        fields: list[str] = []
        for value in values:
            pieces = value.split()
            if value[:1].isspace():
                pieces.insert(0, "")
            if value[-1:].isspace() and pieces:
                pieces.append("")
            fields.extend(pieces if value.strip() else (["", ""] if value else []))
        return fields

    def _expand(self) -> tuple[list[str], bool]:
        """(values, whether they are split on blanks) of the expansion at the current position."""
        if self._take() == "`":
            self._until("`")
            raise _Unparsed
        char = self._peek()
        if char == "(":
            if self._peek(1) == "(":
                self._take()
                self._take()
                body = self._balanced("(", ")")
                if self._peek() != ")":
                    raise _Unparsed
                self._take()
                return [self._arithmetic(body)], True
            self._take()
            self._balanced("(", ")")
            raise _Unparsed  # $(command): known only when the script runs
        if char == "{":
            self._take()
            return self._braced(self._balanced("{", "}"))
        if char in "@*":
            self.elements = self._take() == "@"
            return [], True
        if char == "#":
            self._take()
            return ["0"], True
        name = _NAME.match(self.text, self.pos)
        if name:
            self.pos = name.end()
            if name.group() in self.arrays or name.group() in self.variables:
                return [self.variables.get(name.group(), "")], True
            raise _Unparsed
        if char.isdigit() or char in "?$!-":
            self._take()
            raise _Unparsed
        return ["$"], False

    def _balanced(self, opening: str, closing: str) -> str:
        """The text up to the `closing` that matches an `opening` already taken (quotes respected)."""
        depth, start = 1, self.pos
        while True:
            char = self._peek()
            if char == "":
                raise self._error(f"a {opening} is never closed")
            if char in "'\"" and opening == "{":
                self._take()
                self._until(char)
                continue
            self._take()
            if char == "\\":
                self._take()
            elif char == opening:
                depth += 1
            elif char == closing:
                depth -= 1
                if depth == 0:
                    return self.text[start:self.pos - 1]

    def _braced(self, body: str) -> tuple[list[str], bool]:
        """`${…}`: a name, an array element or all of them, a length, or a default (`:-`, `-`, `:=`, `=`, `:+`)."""
        whole = re.fullmatch(r"(#?)([A-Za-z_][A-Za-z0-9_]*)(?:\[([@*]|\d+)\])?", body)
        if whole:
            length, target, index = whole.groups()
            if target not in self.variables and target not in self.arrays:
                if index in ("@", "*") and not length:  # arrays are never inherited from the environment: empty
                    self.elements = index == "@"
                    return [], True
                raise _Unparsed
            elements = self.arrays.get(target, [self.variables.get(target, "")])
            if index in ("@", "*"):
                if length:
                    return [str(len(elements))], True
                self.elements = index == "@"
                return list(elements), True
            value = elements[int(index)] if index and int(index) < len(elements) else (
                "" if index else self.variables.get(target, ""))
            return ([str(len(value))] if length else [value]), True
        default = re.fullmatch(r"([A-Za-z_][A-Za-z0-9_]*)(:?)([-=+])(.*)", body, re.DOTALL)
        if not default:
            raise _Unparsed
        target, colon, kind, alternative = default.groups()
        value = self.variables.get(target)
        is_set = value is not None and (value != "" or not colon)
        if kind == "+":
            return ([self._expand_text(alternative)] if is_set else []), True
        if is_set:
            return [value or ""], True
        substituted = self._expand_text(alternative)
        if kind == "=":
            self.variables[target] = substituted
        return [substituted], True

    def _expand_text(self, text: str) -> str:
        """A default's word (`${A:-"8"}` → 8): quotes removed and expansions made, as one string."""
        inner = _Reader(text, self.name)
        inner.variables, inner.arrays, inner.line = self.variables, self.arrays, self.line
        return " ".join(inner._word()) if text else ""

    def _arithmetic(self, body: str) -> str:
        """`$((…))` over integers as bash computes it (`/` truncates toward zero), names and `$names` read as the
        script set them. Anything else (an unknown name, a non-integer) is left as its text."""
        def value_of(match: re.Match[str]) -> str:
            text = self.variables.get(match.group(1) or match.group(2))
            if text is None or not re.fullmatch(r"\s*-?\d+\s*", text):
                raise _Unparsed
            return f"({text.strip()})"

        expression = re.sub(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?|\b([A-Za-z_][A-Za-z0-9_]*)\b", value_of, body)
        try:
            tree = ast.parse(expression.strip(), mode="eval")
        except SyntaxError as exc:
            raise _Unparsed from exc
        return str(_integer_value(tree.body))


_BINARY = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Mod: None, ast.Div: None,
           ast.FloorDiv: None, ast.Pow: operator.pow}  # fmt: skip


def _integer_value(node: ast.AST) -> int:
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        inner = _integer_value(node.operand)
        return -inner if isinstance(node.op, ast.USub) else inner
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        left, right = _integer_value(node.left), _integer_value(node.right)
        if isinstance(node.op, (ast.Div, ast.FloorDiv, ast.Mod)):
            if right == 0:
                raise _Unparsed
            quotient = abs(left) // abs(right) * (1 if (left >= 0) == (right >= 0) else -1)
            return quotient if not isinstance(node.op, ast.Mod) else left - right * quotient
        if isinstance(node.op, ast.Pow) and (right < 0 or right > 64):
            raise _Unparsed
        return _BINARY[type(node.op)](left, right)
    raise _Unparsed
