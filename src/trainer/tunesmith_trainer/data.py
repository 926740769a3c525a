"""Reads a JSONL dataset in one of the formats the linter detects and converts each line explicitly into
the messages a chat template renders (or a prompt and completion, or plain text), then tokenizes it with a
mask of the tokens the model learns.

Every problem names the file and the line and is raised before a model is loaded, so a broken line
never costs GPU time. Formats and role spellings come from ``schemas/data-formats.json``, which
``npm run schema`` writes from DATA_FORMATS in src/server/engine/formats.ts: the linter and the trainer
read one definition (docs/data-contract.md).

- chat: ``{"messages": [...], "tools"?: [...]}``; each message keeps ``tool_calls``, ``tool_call_id``,
  ``name`` and ``reasoning_content`` and is rendered with the model's chat template (``tools`` too). Every
  assistant turn is trained unless its ``weight`` is 0 (OpenAI's fine-tuning semantics).
- sharegpt: ``{"conversations": [{"from", "value"}...]}``; converted to chat, ``function_call`` turns to
  assistant tool calls and ``observation`` turns to tool results (LLaMA-Factory's layout).
- alpaca: ``{"instruction", "input"?, "output", "history"?}``; chat when the tokenizer has a chat
  template, otherwise the Alpaca prompt template.
- prompt-completion: ``{"prompt", "completion"}`` strings (EOS appended to the completion), or TRL's
  conversational form with message lists: the completion's assistant turns are trained.
- text: ``{"text"}``; language modelling, every token is trained.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import json
import os
import re
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, BinaryIO, Iterator

from .errors import TrainerError


@cache
def data_formats() -> dict[str, Any]:
    """The linter's definition of formats and role spellings (schemas/data-formats.json)."""
    text = resources.files("tunesmith_trainer").joinpath("schemas", "data-formats.json").read_text("utf-8")
    return json.loads(text)


FORMATS = tuple(f["id"] for f in data_formats()["formats"])
ROLE_ALIASES: dict[str, str] = data_formats()["roles"]
PARTS_SEPARATOR: str = data_formats()["partsSeparator"]
ALPACA_PROMPT = "Below is an instruction that describes a task. Write a response that completes the request.\n\n"
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


@dataclass
class Rendered:
    line: int
    prompt: str
    completion: str
    reference: str


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
    if fmt == "alpaca":
        instruction, output = need_str("instruction"), need_str("output")
        extra = value.get("input") or ""
        if not isinstance(extra, str):
            raise at.fail("field 'input' must be a string", "Give 'input' a text value or leave it out.")
        history = value.get("history") or []
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


# -- rendering ----------------------------------------------------------------------------------------
# Which tokens are trained is found by rendering prefixes: assistant turn i spans from the end of
# messages[:i] rendered with the generation prompt to the end of messages[:i+1]. transformers' own
# mechanism (return_assistant_tokens_mask, what TRL's assistant_only_loss uses) needs a
# {% generation %} block in the template, which the templates of most released models lack (Llama 3.x,
# Qwen 2.5, Mistral, Gemma): for them it returns no assistant tokens. Prefix rendering works with every
# template that renders a conversation's beginning as the beginning of the whole, which is checked for
# each example; tests/test_contract.py checks it gives transformers' mask on a template that has the block,
# and on TRL's training templates of released models. Where the model's template renders a turn differently
# once later turns follow (Qwen3's drops earlier turns' reasoning) and TRL has a training version of it
# (training_template, what TRL's own assistant-only loss renders with), that version renders the example.

_PROBE_TOOL = {"type": "function", "function": {"name": "tunesmith_probe_tool", "description": "probe",
                                                "parameters": {"type": "object", "properties": {}}}}
_PROBE_CALL = {"role": "assistant", "content": "", "tool_calls": [
    {"type": "function", "id": "call_probe", "function": {"name": "tunesmith_probe_call", "arguments": {}}}]}
_PROBE_USER = {"role": "user", "content": "tunesmith_probe_user"}
_PROBES = {
    "tools": ([_PROBE_USER], [_PROBE_TOOL], "tunesmith_probe_tool"),
    "tool calls": ([_PROBE_USER, _PROBE_CALL], None, "tunesmith_probe_call"),
    "tool results": ([_PROBE_USER, _PROBE_CALL, {"role": "tool", "tool_call_id": "call_probe", "name":
                      "tunesmith_probe_call", "content": "tunesmith_probe_result"}], None, "tunesmith_probe_result"),
    "content parts": ([{"role": "user", "content": [{"type": "text", "text": "tunesmith_probe_part"}]}], None,
                      "tunesmith_probe_part"),
    "reasoning": ([_PROBE_USER, {"role": "assistant", "content": "x", "reasoning_content": "tunesmith_probe_reason"}],
                  None, "tunesmith_probe_reason"),
}
# What a template that cannot render it costs: the run is refused, or goes on with a warning.
_WARN_ONLY = {"content parts", "reasoning"}


def _renders(tokenizer: Any, feature: str, string_arguments: bool = False) -> bool:
    messages, tools, marker = _PROBES[feature]
    if string_arguments:
        messages = json.loads(json.dumps(messages))
        for message in messages:
            for call in message.get("tool_calls", []):
                call["function"]["arguments"] = json.dumps(call["function"]["arguments"])
    try:
        text = tokenizer.apply_chat_template(messages, tools=tools, tokenize=False)
    except Exception:  # a template that raises on what it cannot render (jinja2's TemplateError and others)
        return False
    # A template that prints the content as it is shows a list of parts as Python's repr of it.
    return marker in text and (feature != "content parts" or "'type'" not in text)


def check_template(records: list[Record], tokenizer: Any, warn: Any = None) -> None:
    """Refuses, before any model is loaded, data whose tools or tool turns the chat template cannot
    render; content parts a template does not render are joined into one string instead, and reasoning
    it does not render is named in a warning (the model learns the answers without it)."""
    if not getattr(tokenizer, "chat_template", None):
        return
    supported: dict[str, bool] = {}
    unrendered_reasoning: list[int] = []
    # Arguments go to templates as objects (transformers' convention); a template that renders them only as
    # the JSON string OpenAI data holds (DeepSeek-V3's, transformers#45419) gets them as that string.
    string_arguments = False
    for record in records:
        for feature in sorted(record.uses()):
            if feature not in supported:
                supported[feature] = _renders(tokenizer, feature)
                if not supported[feature] and feature in ("tool calls", "tool results"):
                    supported[feature] = string_arguments = _renders(tokenizer, feature, string_arguments=True)
            if not supported[feature] and feature == "reasoning":
                unrendered_reasoning.append(record.line)
            if not supported[feature] and feature not in _WARN_ONLY:
                raise TrainerError(
                    "config",
                    f"the model's chat template cannot render {feature}, which {record.where()} holds",
                    "Use a model whose chat template supports tool use (transformers' `tools` argument), "
                    "or remove the tool turns and tools from the data.",
                    file=record.file, line=record.line,
                )
        if string_arguments:
            for message in record.messages or []:
                for call in message.get("tool_calls", []):
                    if not isinstance(call["function"]["arguments"], str):
                        call["function"]["arguments"] = json.dumps(call["function"]["arguments"], ensure_ascii=False)
        if supported.get("content parts") is False:
            for message in record.messages or []:
                if isinstance(message.get("content"), list):
                    message["content"] = _text(message["content"])
    if unrendered_reasoning and warn is not None:
        warn(
            f"the model's chat template does not render reasoning_content, which {len(unrendered_reasoning)} "
            f"example(s) hold (first: line {unrendered_reasoning[0]}): the model learns those answers without it",
            "Use a model whose template renders reasoning (Qwen3, DeepSeek-R1), or put the reasoning in the content.",
        )


def _apply(tokenizer: Any, record: Record, messages: list[dict[str, Any]], generation: bool = False,
           template: str | None = None) -> str:
    try:
        return tokenizer.apply_chat_template(messages, tools=record.tools, tokenize=False,
                                             add_generation_prompt=generation, chat_template=template)
    except Exception as exc:  # the template's own refusal (raise_exception) or a jinja2 error
        raise TrainerError(
            "config",
            f"the model's chat template cannot render {record.where()}: {exc}",
            "Check the order and roles of the turns against what the model's chat template accepts.",
            file=record.file, line=record.line,
        ) from None


class _Inconsistent(Exception):
    """The template renders a turn differently once later turns follow."""


def chat_spans(record: Record, tokenizer: Any, fallback: str | None = None) -> tuple[str, list[tuple[int, int]]]:
    """The conversation rendered by the model's chat template, and the character span of each trained turn:
    from the end of the generation prompt to the end of the turn. Where the model's template renders a turn
    differently once later turns follow, ``fallback`` (TRL's training version of it) renders the example."""
    try:
        return _spans(record, tokenizer, None)
    except _Inconsistent as exc:
        if fallback is not None:
            try:
                return _spans(record, tokenizer, fallback)
            except _Inconsistent:
                pass
        raise TrainerError(
            "config",
            f"{record.where()}: the chat template renders turn {exc.args[0] + 1} differently once later turns "
            "follow (some templates drop earlier turns' reasoning), so its tokens cannot be found in the conversation",
            "Train on conversations that end at that turn (one line per answer), or use a template "
            "that renders each turn the same wherever it stands.",
            file=record.file, line=record.line,
        ) from None


def _end_before_closing(full: str, through: str, eos: str | None) -> int | None:
    """Where a turn ends inside the conversation when the template closes a conversation with the EOS token
    after its last turn only (Phi-3's): the rendering through the turn is then the conversation up to there
    plus EOS. None when the difference is anything else (the turn itself is rendered differently)."""
    stripped = through.rstrip()
    if not eos or not stripped.endswith(eos):
        return None
    head = through[: len(stripped) - len(eos)]
    return len(head) if full.startswith(head) and full.endswith(through[len(head):]) else None


def _spans(record: Record, tokenizer: Any, template: str | None) -> tuple[str, list[tuple[int, int]]]:
    assert record.messages is not None
    full = _apply(tokenizer, record, record.messages, template=template)
    spans = []
    for i in record.trained:
        prompt = _apply(tokenizer, record, record.messages[:i], generation=True, template=template)
        through = _apply(tokenizer, record, record.messages[: i + 1], template=template)
        # The turn starts where it parts from the generation prompt: the prompt may go on with text the turn
        # does not hold (DeepSeek-R1's opens the thinking), which the model is given, not taught.
        start = len(os.path.commonprefix([prompt, through]))
        end = len(through) if full.startswith(through) else _end_before_closing(
            full, through, tokenizer.eos_token)
        if end is None or end <= start:
            raise _Inconsistent(i)
        spans.append((start, end))
    return full, spans


def training_template(tokenizer: Any) -> str | None:
    """TRL's training version of the model's chat template, where TRL has one (`get_training_chat_template`:
    the template TRL's own assistant-only loss trains with, which renders each turn the same wherever it
    stands, as Qwen3's own does not); None where TRL has none or the model's template needs none."""
    if not getattr(tokenizer, "chat_template", None):
        return None
    from trl.chat_template_utils import get_training_chat_template

    try:
        return get_training_chat_template(tokenizer)
    except Exception:  # ValueError: no training version of this template; a template that fails TRL's probes
        return None


def encode(record: Record, tokenizer: Any, fallback: str | None = None) -> dict[str, list[int]]:
    """Token ids of one example and its mask: 1 on the tokens the model learns, 0 on the rest."""
    if record.messages is not None and getattr(tokenizer, "chat_template", None):
        text, spans = chat_spans(record, tokenizer, fallback)
        return _segments(tokenizer, text, spans, template=True)
    return tokenize(render(record, tokenizer), tokenizer)


def _segments(tokenizer: Any, text: str, spans: list[tuple[int, int]], template: bool) -> dict[str, list[int]]:
    # Each piece between span boundaries is tokenized apart so a boundary never falls inside a token (and
    # the prompt's tokens are the ones `evaluate` feeds to generate()). The text after the last trained
    # span is left out: with causal attention it changes no trained token's loss.
    ids: list[int] = []
    mask: list[int] = []
    at = 0
    for start, end in spans:
        before = text[at:start]
        if before:
            # Special tokens (BOS) are the template's to write; without a template, the tokenizer's.
            piece = tokenizer(before, add_special_tokens=not ids and not template)["input_ids"]
            ids, mask = ids + piece, mask + [0] * len(piece)
        elif not ids and tokenizer.bos_token_id is not None:
            # Plain text trains from its first token: a BOS before it gives that token something to follow.
            ids, mask = [tokenizer.bos_token_id], [0]
        piece = tokenizer(text[start:end], add_special_tokens=False)["input_ids"]
        ids, mask = ids + piece, mask + [1] * len(piece)
        at = end
    return {"input_ids": ids, "completion_mask": mask}


def render(record: Record, tokenizer: Any) -> Rendered:
    """The prompt the model is asked to answer and the completion it should give, as strings, plus the
    reference answer: for chat data, every turn before the last trained turn, and that turn (what an
    evaluation compares)."""
    template = getattr(tokenizer, "chat_template", None)
    if record.messages is not None and template:
        answer = record.answer()
        assert answer is not None
        text, spans = chat_spans(replace(record, messages=record.messages[: answer + 1], trained=[answer]), tokenizer)
        (start, end), = spans
        return Rendered(record.line, text[:start], text[start:end], _display(record.messages[answer]))
    if record.messages is not None:
        if record.format != "alpaca":
            raise TrainerError(
                "config",
                "the model's tokenizer has no chat template, so chat data cannot be rendered",
                "Use a model with a chat template (tokenizer_config.json) or convert the data to prompt/completion.",
            )
        if len(record.messages) > 2 + (record.messages[0]["role"] == "system"):
            raise TrainerError(
                "config",
                f"{record.where()}: the model's tokenizer has no chat template, so Alpaca history cannot be rendered",
                "Use a model with a chat template, or leave history out.", file=record.file,
                line=record.line,
            )
        user = record.messages[-2]["content"]
        prompt = f"{ALPACA_PROMPT}### Instruction:\n{user}\n\n### Response:\n"
        reference = record.messages[-1]["content"]
        return Rendered(record.line, prompt, reference + (tokenizer.eos_token or ""), reference)
    if record.prompt is not None:
        return Rendered(record.line, record.prompt, record.completion + (tokenizer.eos_token or ""), record.completion)
    return Rendered(record.line, "", record.text + (tokenizer.eos_token or ""), record.text)


def tokenize(rendered: Rendered, tokenizer: Any) -> dict[str, list[int]]:
    """A rendered prompt and completion as training tokenizes them (what `evaluate` scores references on)."""
    has_template = bool(getattr(tokenizer, "chat_template", None))
    end = len(rendered.prompt) + len(rendered.completion)
    return _segments(tokenizer, rendered.prompt + rendered.completion, [(len(rendered.prompt), end)], has_template)


def iter_tokenized(records: list[Record], tokenizer: Any, max_length: int, warn: Any = None) -> Iterator[dict]:
    check_template(records, tokenizer, warn)
    fallback = training_template(tokenizer)
    too_long = 0
    for record in records:
        item = encode(record, tokenizer, fallback)
        if len(item["input_ids"]) > max_length:
            too_long += 1
        yield item
    if too_long and warn is not None:
        warn(
            f"{too_long} example(s) are longer than max_length={max_length} tokens and will be truncated",
            "Raise data.max_length or shorten those examples.",
        )
