"""Reads a JSONL dataset in one of the formats the linter detects and converts each line explicitly into
the messages a chat template renders (or a prompt and completion, or plain text); rendering.py renders and
tokenizes them with a mask of the tokens the model learns.

Every problem names the file and the line and is raised before a model is loaded, so a broken line
never costs GPU time. Formats and role spellings come from ``schemas/data-formats.json``, which
``npm run schema`` writes from DATA_FORMATS in src/core/engine/formats.ts: the linter and the trainer
read one definition (docs/data-contract.md).

- chat: ``{"messages": [...], "tools"?: [...]}``; each message keeps ``tool_calls``, ``tool_call_id``,
  ``name`` and ``reasoning_content`` and is rendered with the model's chat template (``tools`` too). Every
  assistant turn is trained unless its ``weight`` is 0 (OpenAI's fine-tuning semantics).
- sharegpt: ``{"conversations": [{"from", "value"}...]}``; converted to chat, ``function_call`` turns to
  assistant tool calls and ``observation`` turns to tool results (LLaMA-Factory's layout).
- alpaca: ``{"instruction", "input"?, "output", "history"?}``; chat when the tokenizer has a chat
  template, otherwise the Alpaca prompt template.
- instruction-response: Dolly's ``{"instruction", "context"?, "response"}`` and GPTeacher's
  ``{"instruction", "input"?, "response"}``; like Alpaca without history.
- question-answer: ``{"question", "answer"}`` (GSM8K); the question is the user turn, the answer trained.
- preference: ``{"prompt", "chosen", "rejected"}`` is refused: it trains with DPO, which this trainer does
  not run (the linter's format/not-trainable says so before launch).
- prompt-completion: ``{"prompt", "completion"}`` strings (EOS appended to the completion), or TRL's
  conversational form with message lists: the completion's assistant turns are trained.
- text: ``{"text"}``; language modelling, every token is trained.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import json
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, BinaryIO

from .errors import TrainerError


@cache
def data_formats() -> dict[str, Any]:
    """The linter's definition of formats and role spellings (schemas/data-formats.json)."""
    text = resources.files("tunesmith_trainer").joinpath("schemas", "data-formats.json").read_text("utf-8")
    return json.loads(text)


FORMATS = tuple(f["id"] for f in data_formats()["formats"])
ROLE_ALIASES: dict[str, str] = data_formats()["roles"]
PARTS_SEPARATOR: str = data_formats()["partsSeparator"]
# The message keys a chat template may read; others (weight, ids of the dataset) are not the model's input.
TEMPLATE_KEYS = ("tool_call_id", "name", "reasoning_content")


@dataclass
class Record:
    line: int
    format: str
    # Chat-like formats: the messages as the chat template receives them, the indices of the turns trained
    # (assistant turns whose weight is not 0) and the tools offered to the model.
    messages: list[dict[str, Any]] | None = None
    trained: list[int] = field(default_factory=list)
    tools: list[dict[str, Any]] | None = None
    prompt: str | None = None
    completion: str | None = None
    text: str | None = None
    # The file the line was read from, for errors found later (rendering), which name file and line.
    file: str | None = None

    def where(self) -> str:
        return f"{Path(self.file).name}:{self.line}" if self.file else f"line {self.line}"

    def uses(self) -> set[str]:
        """What of the chat template this example needs besides plain turns (see check_template)."""
        found = {"tools"} if self.tools else set()
        for message in self.messages or []:
            if message.get("tool_calls"):
                found.add("tool calls")
            if message["role"] == "tool":
                found.add("tool results")
            if isinstance(message.get("content"), list):
                found.add("content parts")
            if message.get("reasoning_content"):
                found.add("reasoning")
        return found

    def answer(self) -> int | None:
        """The index of the last trained turn: what an evaluation asks the model to answer."""
        return self.trained[-1] if self.trained else None

    def prompt_turns(self) -> list[dict[str, str]] | None:
        """The turns before the answer as role and text, for reports."""
        if self.messages is None or self.answer() is None:
            return None
        return [{"role": m["role"], "content": _display(m)} for m in self.messages[: self.answer()]]


def detect_format(value: Any) -> str | None:
    if not isinstance(value, dict):
        return None
    for fmt in data_formats()["formats"]:
        if all(key in value for key in fmt["required"]):
            return fmt["id"]
    return None


def _fail(path: Path, line: int, message: str, hint: str) -> TrainerError:
    return TrainerError("data", f"{path.name}:{line}: {message}", hint, file=str(path), line=line)


def _text(content: list[Any]) -> str:
    return PARTS_SEPARATOR.join(p["text"] for p in content)


def _display(message: dict[str, Any]) -> str:
    content = message.get("content")
    text = _text(content) if isinstance(content, list) else content or ""
    calls = message.get("tool_calls")
    return text or (json.dumps([c["function"] for c in calls], ensure_ascii=False) if calls else "")


class _Line:
    """One line being converted: names the file and the line in every error."""

    def __init__(self, path: Path, line: int):
        self.path, self.line = path, line

    def fail(self, message: str, hint: str) -> TrainerError:
        return _fail(self.path, self.line, message, hint)

    def parts(self, content: list[Any], where: str) -> list[dict[str, str]]:
        for k, part in enumerate(content):
            if not (isinstance(part, dict) and part.get("type") == "text" and isinstance(part.get("text"), str)):
                kind = part.get("type") if isinstance(part, dict) else type(part).__name__
                raise self.fail(f"{where}: content part {k + 1} is {kind!r}, not a text part",
                                "The trainer trains text models: give content as text or text parts.")
        return [{"type": "text", "text": p["text"]} for p in content]

    def tool_calls(self, calls: Any, where: str) -> list[dict[str, Any]]:
        if not isinstance(calls, list):
            raise self.fail(f"{where}: tool_calls must be a list", "Write tool_calls as a list of calls.")
        out = []
        for k, call in enumerate(calls):
            fn = call.get("function") if isinstance(call, dict) else None
            name = fn.get("name") if isinstance(fn, dict) else None
            if not isinstance(name, str) or not name:
                raise self.fail(f"{where}: tool call {k + 1} has no function.name",
                                "Give every call a function with a name and arguments.")
            arguments = self.arguments(fn.get("arguments", "{}"), f"{where}, tool call {k + 1}")
            item: dict[str, Any] = {"type": "function", "function": {"name": name, "arguments": arguments}}
            if isinstance(call.get("id"), str):
                item["id"] = call["id"]
            out.append(item)
        return out

    def arguments(self, raw: Any, where: str) -> Any:
        # Chat templates (transformers' tool-use convention) render arguments from a dict; OpenAI data
        # holds them as a JSON string.
        if not isinstance(raw, str):
            return raw
        try:
            return json.loads(raw)
        except ValueError as exc:
            raise self.fail(f"{where}: arguments are not valid JSON ({exc})",
                            "Write function.arguments as a string of JSON, e.g. \"{}\".") from None

    def tools(self, raw: Any) -> list[dict[str, Any]] | None:
        if raw is None:
            return None
        if isinstance(raw, str):  # LLaMA-Factory writes ShareGPT tools as a JSON string
            try:
                raw = json.loads(raw)
            except ValueError:
                raise self.fail("tools is a string that is not JSON", "Write tools as a list of tool schemas.") from None
        if not isinstance(raw, list) or not all(isinstance(t, dict) for t in raw):
            raise self.fail("tools must be a list of tool schemas", "Write tools as a list of tool schemas.")
        # Templates read OpenAI's layout, {"type": "function", "function": {...}}; LLaMA-Factory writes the
        # function schema alone.
        return [t if "function" in t else {"type": "function", "function": t} for t in raw] or None

    def message(self, turn: Any, i: int, role_key: str, content_key: str) -> dict[str, Any]:
        where = f"turn {i + 1}"
        if not isinstance(turn, dict):
            raise self.fail(f"{where} is not an object", f"Write each turn as {{{role_key}, {content_key}}}.")
        spelled = turn.get(role_key)
        role = ROLE_ALIASES.get(spelled) if isinstance(spelled, str) else None
        if role is None:
            raise self.fail(f"{where} has an unknown role {spelled!r}", "Use system, user, assistant or tool.")
        message: dict[str, Any] = {"role": role}
        content = turn.get(content_key)
        calls = turn.get("tool_calls")
        if calls is None and isinstance(turn.get("function_call"), dict):  # OpenAI's legacy single call
            calls = [{"type": "function", "function": turn["function_call"]}]
        if spelled == "function_call":  # ShareGPT: the value is the call, {"name", "arguments"} or a list
            try:
                called = json.loads(content) if isinstance(content, str) else None
            except ValueError:
                called = None
            if not isinstance(called, (dict, list)):
                raise self.fail(f"{where}: a function_call value must be JSON with name and arguments",
                                'Write it as {"name": ..., "arguments": {...}}.')
            calls = [{"function": c} for c in (called if isinstance(called, list) else [called])]
            content = None
        if calls is not None:
            message["tool_calls"] = self.tool_calls(calls, where)
        if isinstance(content, str):
            message["content"] = content
        elif isinstance(content, list) and role_key == "role":
            message["content"] = self.parts(content, where)
        elif role == "tool":
            # A tool result is often JSON: the model reads it as the text of that JSON.
            message["content"] = "" if content is None else json.dumps(content, ensure_ascii=False)
        elif content is None and message.get("tool_calls"):
            # "" rather than None: templates that trim or concatenate the content fail on None.
            message["content"] = ""
        elif content is None and role == "assistant" and "tool_calls" in message:
            raise self.fail(f"{where} (assistant) has neither text nor tool calls",
                            "Give the turn its text, or the calls it makes.")
        else:
            raise self.fail(f"{where} has no text {content_key}",
                            "Give every turn a string content (null only beside tool_calls).")
        if message.get("tool_calls") == []:
            del message["tool_calls"]  # an empty list beside text: nothing a template should render
        for key in TEMPLATE_KEYS:
            if isinstance(turn.get(key), str):
                message[key] = turn[key]
        return message

    def weight(self, turn: Any, i: int) -> bool:
        """Whether the turn at ``i`` (an assistant turn) is trained: OpenAI's weight, 1 unless it is 0."""
        weight = turn.get("weight", 1)
        if weight not in (0, 1) or isinstance(weight, bool):
            raise self.fail(f"turn {i + 1} has weight {weight!r}; a weight is 0 or 1",
                            "Set weight to 0 (not trained) or 1 (trained), or leave it out.")
        return weight == 1

    def conversation(self, turns: Any, role_key: str, content_key: str, *, train: bool = True,
                     offset: int = 0) -> tuple[list[dict[str, Any]], list[int]]:
        if not isinstance(turns, list) or not turns:
            raise self.fail("the conversation must be a non-empty list", "Add the turns of the conversation.")
        messages, trained = [], []
        for i, turn in enumerate(turns):
            message = self.message(turn, offset + i, role_key, content_key)
            if message["role"] == "assistant" and self.weight(turn, offset + i) and train:
                trained.append(offset + i)
            messages.append(message)
        return messages, trained

    def trained(self, record: Record) -> Record:
        if not record.trained:
            has_assistant = any(m["role"] == "assistant" for m in record.messages or [])
            raise self.fail(
                "every assistant turn has weight 0, so there is nothing to learn from this example" if has_assistant
                else "no assistant turn, so there is nothing to learn from this example",
                "Add the assistant's answer, or remove the line.")
        return record


def _record(path: Path, line: int, value: Any, fmt: str) -> Record:
    at = _Line(path, line)

    def need_str(key: str) -> str:
        v = value.get(key)
        if not isinstance(v, str):
            raise at.fail(f"field {key!r} must be a string", f"Give {key!r} a text value.")
        return v

    if fmt in ("chat", "sharegpt"):
        keys = next(f["turns"] for f in data_formats()["formats"] if f["id"] == fmt)
        messages, trained = at.conversation(value.get(keys["list"]), keys["role"], keys["content"])
        if fmt == "sharegpt" and isinstance(value.get("system"), str):
            messages.insert(0, {"role": "system", "content": value["system"]})
            trained = [i + 1 for i in trained]
        return at.trained(Record(line, fmt, messages=messages, trained=trained, tools=at.tools(value.get("tools"))))
    if fmt == "preference":
        raise at.fail(
            "preference pairs (prompt/chosen/rejected) are not trained: they are for DPO or reward training, "
            "and this trainer runs supervised fine-tuning",
            "To fine-tune on the chosen answers, rename 'chosen' to 'completion' and drop 'rejected'.")
    if fmt == "question-answer":
        user, output = need_str("question"), need_str("answer")
        return Record(line, fmt, messages=[{"role": "user", "content": user}, {"role": "assistant", "content": output}],
                      trained=[1])
    if fmt in ("alpaca", "instruction-response"):
        answer_key = "output" if fmt == "alpaca" else "response"
        instruction, output = need_str("instruction"), need_str(answer_key)
        extra_key = "context" if fmt == "instruction-response" and value.get("context") else "input"
        extra = value.get(extra_key) or ""
        if not isinstance(extra, str):
            raise at.fail(f"field {extra_key!r} must be a string", f"Give {extra_key!r} a text value or leave it out.")
        history = (value.get("history") if fmt == "alpaca" else None) or []
        if not isinstance(history, list) or not all(
            isinstance(h, list) and len(h) == 2 and all(isinstance(x, str) for x in h) for h in history
        ):
            raise at.fail("field 'history' must be a list of [instruction, answer] pairs",
                          "Write each earlier exchange as two strings, or leave history out.")
        messages: list[dict[str, Any]] = [{"role": "system", "content": value["system"]}] if isinstance(
            value.get("system"), str) else []
        for question, answer in history:
            messages += [{"role": "user", "content": question}, {"role": "assistant", "content": answer}]
        user = f"{instruction}\n\n{extra}" if extra else instruction
        messages += [{"role": "user", "content": user}, {"role": "assistant", "content": output}]
        trained = [i for i, m in enumerate(messages) if m["role"] == "assistant"]
        return Record(line, fmt, messages=messages, trained=trained)
    if fmt == "prompt-completion":
        prompt, completion = value.get("prompt"), value.get("completion")
        if isinstance(prompt, list) or isinstance(completion, list):
            # TRL's conversational prompt/completion: the prompt is context, the completion is learned.
            before, _ = at.conversation(prompt, "role", "content", train=False)
            after, trained = at.conversation(completion, "role", "content", offset=len(before))
            return at.trained(Record(line, fmt, messages=before + after, trained=trained,
                                     tools=at.tools(value.get("tools"))))
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
            record = _record(path, number, value, expected)
            record.file = str(path)
            records.append(record)
    if not records:
        raise TrainerError("data", f"{path.name}: no examples", "Add at least one line.", file=str(path))
    return DataFile(path, records, hashing.digest.hexdigest(), hashing.size)


def read_records(path: str | Path, fmt: str = "auto") -> list[Record]:
    return read_file(path, fmt).records
