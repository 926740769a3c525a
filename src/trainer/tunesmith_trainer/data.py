"""Reads a JSONL dataset in one of the formats the linter detects and converts each line explicitly
into a prompt and a completion (or plain text), then tokenizes it with a completion mask.

Every problem names the file and the line and is raised before a model is loaded, so a broken line
never costs GPU time. Formats (ids as in src/server/engine/formats.ts):

- chat: ``{"messages": [{"role", "content"}...]}``; rendered with the model's chat template, the last
  turn (which must be the assistant's) is the completion.
- sharegpt: ``{"conversations": [{"from", "value"}...]}``; converted to chat.
- alpaca: ``{"instruction", "input"?, "output"}``; chat when the tokenizer has a chat template,
  otherwise the Alpaca prompt template.
- prompt-completion: ``{"prompt", "completion"}`` strings (EOS appended to the completion).
- text: ``{"text"}``; language modelling, every token is trained.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Iterator

from .errors import TrainerError

FORMATS = ("chat", "prompt-completion", "alpaca", "sharegpt", "text")
ROLE_ALIASES = {
    "system": "system",
    "developer": "system",
    "user": "user",
    "human": "user",
    "assistant": "assistant",
    "gpt": "assistant",
    "tool": "tool",
    "function": "tool",
    "observation": "tool",
}
ALPACA_PROMPT = "Below is an instruction that describes a task. Write a response that completes the request.\n\n"


@dataclass
class Record:
    line: int
    format: str
    messages: list[dict[str, str]] | None = None
    prompt: str | None = None
    completion: str | None = None
    text: str | None = None


@dataclass
class Rendered:
    line: int
    prompt: str
    completion: str
    reference: str


def detect_format(value: Any) -> str | None:
    if not isinstance(value, dict):
        return None
    if "messages" in value:
        return "chat"
    if "conversations" in value:
        return "sharegpt"
    if "instruction" in value and "output" in value:
        return "alpaca"
    if "prompt" in value and "completion" in value:
        return "prompt-completion"
    if "text" in value:
        return "text"
    return None


def _fail(path: Path, line: int, message: str, hint: str) -> TrainerError:
    return TrainerError("data", f"{path.name}:{line}: {message}", hint, file=str(path), line=line)


def _messages(path: Path, line: int, turns: Any, role_key: str, content_key: str) -> list[dict[str, str]]:
    if not isinstance(turns, list) or not turns:
        raise _fail(path, line, "the conversation must be a non-empty list", "Add the turns of the conversation.")
    out = []
    for i, turn in enumerate(turns):
        if not isinstance(turn, dict):
            raise _fail(path, line, f"turn {i} is not an object", f"Write each turn as {{{role_key}, {content_key}}}.")
        role = ROLE_ALIASES.get(str(turn.get(role_key, "")).lower())
        content = turn.get(content_key)
        if role is None:
            raise _fail(
                path, line, f"turn {i} has an unknown role {turn.get(role_key)!r}", "Use system, user or assistant."
            )
        if not isinstance(content, str):
            raise _fail(path, line, f"turn {i} has no text {content_key}", "Give every turn a string content.")
        out.append({"role": role, "content": content})
    if out[-1]["role"] != "assistant":
        raise _fail(
            path,
            line,
            "the last turn is not the assistant's, so there is nothing to learn from this example",
            "End each conversation with the assistant's answer.",
        )
    return out


def _record(path: Path, line: int, value: Any, fmt: str) -> Record:
    def need_str(key: str) -> str:
        v = value.get(key)
        if not isinstance(v, str):
            raise _fail(path, line, f"field {key!r} must be a string", f"Give {key!r} a text value.")
        return v

    if fmt == "chat":
        return Record(line, fmt, messages=_messages(path, line, value.get("messages"), "role", "content"))
    if fmt == "sharegpt":
        return Record(line, fmt, messages=_messages(path, line, value.get("conversations"), "from", "value"))
    if fmt == "alpaca":
        instruction, output = need_str("instruction"), need_str("output")
        extra = value.get("input") or ""
        if not isinstance(extra, str):
            raise _fail(path, line, "field 'input' must be a string", "Give 'input' a text value or leave it out.")
        user = f"{instruction}\n\n{extra}" if extra else instruction
        messages = [{"role": "user", "content": user}, {"role": "assistant", "content": output}]
        if isinstance(value.get("system"), str):
            messages.insert(0, {"role": "system", "content": value["system"]})
        return Record(line, fmt, messages=messages)
    if fmt == "prompt-completion":
        return Record(line, fmt, prompt=need_str("prompt"), completion=need_str("completion"))
    return Record(line, fmt, text=need_str("text"))


@dataclass
class DataFile:
    """A dataset as read: its examples, and the SHA-256 and size of its bytes (what `--resume` checks)."""

    path: Path
    records: list[Record]
    sha256: str
    size: int


class _Hashing(io.RawIOBase):
    """Hashes the bytes as they are read, so the one pass that parses a file also fingerprints it."""

    def __init__(self, raw: BinaryIO):
        self.raw = raw
        self.digest = hashlib.sha256()
        self.size = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        count = self.raw.readinto(buffer) or 0
        self.digest.update(memoryview(buffer)[:count])
        self.size += count
        return count


# An escape that decodes to half of a UTF-16 surrogate pair (a whole pair decodes to one character).
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\\ud800-\\udfff]")
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def _has_lone_surrogate(value: Any) -> bool:
    # Iterative: a value json.loads accepted can still be nested close to the recursion limit.
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _parse(path: Path, number: int, text: str) -> Any:
    # Undecodable bytes arrive as U+DC80..U+DCFF (surrogateescape): report the first one.
    bad = _SURROGATE.search(text)
    if bad:
        byte = ord(bad.group()) - 0xDC00
        raise _fail(
            path, number, f"not valid UTF-8 (byte 0x{byte:02x} at column {bad.start() + 1})",
            "Save the file as UTF-8, or fix or remove the line.",
        )
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _fail(path, number, f"not valid JSON ({exc.msg} at column {exc.colno})", "Fix or remove the line.")
    except RecursionError:
        raise _fail(path, number, "nested too deeply to read", "An example is a flat object; fix or remove the line.")
    if _SURROGATE_ESCAPE.search(text) and _has_lone_surrogate(value):
        raise _fail(
            path, number, "a string holds a lone surrogate escape (like \\udc80), which is no character",
            "Remove the escape or write the character it stands for (a pair like \\ud83d\\ude00 is fine).",
        )
    return value


def read_file(path: str | Path, fmt: str = "auto") -> DataFile:
    path = Path(path)
    if not path.is_file():
        raise TrainerError("data", f"dataset not found: {path}", "Check the data paths in the run config.", file=str(path))
    records: list[Record] = []
    expected = None if fmt == "auto" else fmt
    with path.open("rb") as raw:
        if raw.read(2) in _UTF16_BOMS:
            raise TrainerError(
                "data", f"{path.name}: the file is UTF-16 (it starts with a byte order mark)",
                "Convert it to UTF-8.", file=str(path), line=1,
            )
        raw.seek(0)
        hashing = _Hashing(raw)
        # Lines break where the linter and editors break them (\n, \r\n, a lone \r), so numbers match.
        lines = io.TextIOWrapper(io.BufferedReader(hashing, 1 << 20), encoding="utf-8-sig", errors="surrogateescape")
        for number, text in enumerate(lines, start=1):
            if not text.strip():
                continue
            value = _parse(path, number, text)
            found = detect_format(value)
            if found is None:
                raise _fail(
                    path,
                    number,
                    "no known format (messages, conversations, instruction/output, prompt/completion or text)",
                    "Convert the line to the format of the rest of the file.",
                )
            if expected is None:
                expected = found
            elif found != expected:
                raise _fail(
                    path,
                    number,
                    f"format {found} differs from {expected} used by the file",
                    "Use one format per file; the linter's format/drift fix converts lines.",
                )
            records.append(_record(path, number, value, expected))
    if not records:
        raise TrainerError("data", f"{path.name}: no examples", "Add at least one line.", file=str(path))
    return DataFile(path, records, hashing.digest.hexdigest(), hashing.size)


def read_records(path: str | Path, fmt: str = "auto") -> list[Record]:
    return read_file(path, fmt).records


def render(record: Record, tokenizer: Any) -> Rendered:
    """The prompt the model sees and the completion it learns, as strings, plus the reference answer."""
    template = getattr(tokenizer, "chat_template", None)
    if record.messages is not None and template:
        prompt = tokenizer.apply_chat_template(record.messages[:-1], tokenize=False, add_generation_prompt=True)
        full = tokenizer.apply_chat_template(record.messages, tokenize=False)
        reference = record.messages[-1]["content"]
        if not full.startswith(prompt):
            raise TrainerError(
                "config",
                "the chat template renders the prompt differently inside the full conversation",
                "Use a chat template whose generation prompt is a prefix of the rendered conversation.",
            )
        return Rendered(record.line, prompt, full[len(prompt) :], reference)
    if record.messages is not None:
        if record.format != "alpaca":
            raise TrainerError(
                "config",
                "the model's tokenizer has no chat template, so chat data cannot be rendered",
                "Use a model with a chat template (tokenizer_config.json) or convert the data to prompt/completion.",
            )
        user = record.messages[-2]["content"]
        prompt = f"{ALPACA_PROMPT}### Instruction:\n{user}\n\n### Response:\n"
        reference = record.messages[-1]["content"]
        return Rendered(record.line, prompt, reference + (tokenizer.eos_token or ""), reference)
    if record.prompt is not None:
        return Rendered(record.line, record.prompt, record.completion + (tokenizer.eos_token or ""), record.completion)
    return Rendered(record.line, "", record.text + (tokenizer.eos_token or ""), record.text)


def tokenize(rendered: Rendered, tokenizer: Any) -> dict[str, list[int]]:
    # Prompt and completion are tokenized apart so the loss boundary is exact and the prompt's tokens are
    # the ones `evaluate` feeds to generate().
    has_template = bool(getattr(tokenizer, "chat_template", None))
    prompt_ids = tokenizer(rendered.prompt, add_special_tokens=not has_template)["input_ids"] if rendered.prompt else []
    if not rendered.prompt and tokenizer.bos_token_id is not None:
        prompt_ids = [tokenizer.bos_token_id]
    completion_ids = tokenizer(rendered.completion, add_special_tokens=False)["input_ids"]
    return {
        "input_ids": prompt_ids + completion_ids,
        "completion_mask": [0] * len(prompt_ids) + [1] * len(completion_ids),
    }


def iter_tokenized(records: list[Record], tokenizer: Any, max_length: int, warn: Any = None) -> Iterator[dict]:
    too_long = 0
    for record in records:
        item = tokenize(render(record, tokenizer), tokenizer)
        if len(item["input_ids"]) > max_length:
            too_long += 1
        yield item
    if too_long and warn is not None:
        warn(
            f"{too_long} example(s) are longer than max_length={max_length} tokens and will be truncated",
            "Raise data.max_length or shorten those examples.",
        )
