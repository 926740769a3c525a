"""Renders the examples data.py reads through the model's chat template (or the Alpaca prompt, or as
they are) and tokenizes them with a mask of the tokens the model learns: every trained assistant turn,
nothing else. Problems are raised before any model is loaded."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, replace
from typing import Any, Iterator

from .data import Record, _display, _text
from .errors import TrainerError

# One instruction and one answer: without a chat template these render with the Alpaca prompt template.
INSTRUCTION_FORMATS = ("alpaca", "instruction-response", "question-answer")
ALPACA_PROMPT = "Below is an instruction that describes a task. Write a response that completes the request.\n\n"


@dataclass
class Rendered:
    line: int
    prompt: str
    completion: str
    reference: str



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
        if record.format not in INSTRUCTION_FORMATS:
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
