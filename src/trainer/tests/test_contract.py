"""The data contract, trainer side: each file of test/fixtures/contract/ goes through the real data
pipeline (read, template check, render, tokenize) with the tiny tokenizer, and trains the spans its table
names, token for token, or is refused with the reason the table names. test/unit/contract.test.ts runs
the same table through the lint engine; docs/data-contract.md explains it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import write_config
from tunesmith_trainer import data, rendering
from tunesmith_trainer.errors import TrainerError
from tunesmith_trainer.tiny import CHAT_TEMPLATE, PLAIN_CHAT_TEMPLATE, build_tokenizer

FIXTURES = Path(__file__).resolve().parents[3] / "test" / "fixtures" / "contract"
CASES = json.loads((FIXTURES / "contract.json").read_text("utf-8"))["cases"]


@pytest.fixture(scope="module")
def tokenizer(tmp_path_factory: pytest.TempPathFactory):
    return build_tokenizer(tmp_path_factory.mktemp("tokenizer"))


def trained_runs(item: dict[str, list[int]]) -> list[list[int]]:
    """The token ids of each run of trained tokens, in order."""
    runs: list[list[int]] = []
    previous = 0
    for token, trained in zip(item["input_ids"], item["completion_mask"]):
        if trained and not previous:
            runs.append([])
        if trained:
            runs[-1].append(token)
        previous = trained
    return runs


def pipeline(path: Path, tokenizer) -> tuple[list[dict[str, list[int]]], list[str]]:
    """What training does with a file, and the text of each span it trains."""
    records = data.read_records(path)
    rendering.check_template(records, tokenizer)
    items, spans = [], []
    for record in records:
        items.append(rendering.encode(record, tokenizer))
        if record.messages is not None:
            text, found = rendering.chat_spans(record, tokenizer)
            spans += [text[start:end] for start, end in found]
        else:
            spans.append(rendering.render(record, tokenizer).completion)
    return items, spans


@pytest.mark.parametrize("case", CASES, ids=[c["file"] for c in CASES])
def test_contract(case, tokenizer):
    path = FIXTURES / case["file"]
    expected = case["trainer"]
    if "refuses" in expected:
        with pytest.raises(TrainerError) as info:
            pipeline(path, tokenizer)
        assert expected["refuses"] in info.value.message
        return
    items, spans = pipeline(path, tokenizer)
    assert spans == expected["trains"]
    # The mask covers exactly those spans: each run of trained tokens is one span, tokenized alone.
    runs = [run for item in items for run in trained_runs(item)]
    assert runs == [tokenizer(span, add_special_tokens=False)["input_ids"] for span in spans]


def test_the_trained_mask_is_each_assistant_turn_and_nothing_else(tokenizer, tmp_path):
    messages = [
        {"role": "system", "content": "map"},
        {"role": "user", "content": "map : a1"}, {"role": "assistant", "content": "b1"},
        {"role": "user", "content": "map : a2"}, {"role": "assistant", "content": "b2 b3", "weight": 0},
        {"role": "user", "content": "map : a3"}, {"role": "assistant", "content": "b4"},
        {"role": "user", "content": "map : a4"},
    ]
    path = tmp_path / "d.jsonl"
    path.write_text(json.dumps({"messages": messages}) + "\n")
    [record] = data.read_records(path)
    item = rendering.encode(record, tokenizer)
    decoded = [tokenizer.decode(run) for run in trained_runs(item)]
    # Turn by turn: the first and third answers with the end of their turn, not the weight-0 one, no prompt.
    assert decoded == ["b1 </s>", "b4 </s>"]
    untrained = tokenizer.decode([t for t, m in zip(item["input_ids"], item["completion_mask"]) if not m])
    assert "b2 b3" in untrained and "b1" not in untrained and "b4" not in untrained
    # The tokens are the conversation's as the template renders it, up to the last trained turn.
    full = tokenizer.apply_chat_template([{k: v for k, v in m.items() if k != "weight"} for m in messages[:7]],
                                         tokenize=False)
    assert tokenizer.decode(item["input_ids"]) == tokenizer.decode(tokenizer(full, add_special_tokens=False)["input_ids"])


def test_prefix_rendering_gives_transformers_assistant_mask_where_the_template_has_generation_blocks(tokenizer):
    # transformers marks assistant tokens itself when the template wraps them in {% generation %}; where a
    # template has the block, our mask (found by rendering prefixes) must be the same. (The block ends before
    # the space after EOS: transformers marks everything to the end when a block ends on a character that
    # belongs to no token.)
    tagged = (
        "{{ bos_token }}{% for m in messages %}<|{{ m['role'] }}|> "
        "{% if m['role'] == 'assistant' %}{% generation %}{{ m['content'] }} {{ eos_token }}{% endgeneration %} "
        "{% else %}{{ m['content'] }} {% endif %}{% endfor %}{% if add_generation_prompt %}<|assistant|> {% endif %}"
    )
    messages = [{"role": "user", "content": "map : a1"}, {"role": "assistant", "content": "b1"},
                {"role": "user", "content": "map : a2"}, {"role": "assistant", "content": "b2"}]
    saved = tokenizer.chat_template
    try:
        tokenizer.chat_template = tagged
        theirs = tokenizer.apply_chat_template(messages, tokenize=True, return_dict=True,
                                               return_assistant_tokens_mask=True)
        record = data.Record(1, "chat", messages=messages, trained=[1, 3])
        ours = rendering.encode(record, tokenizer)
    finally:
        tokenizer.chat_template = saved
    assert ours["input_ids"] == theirs["input_ids"]
    assert ours["completion_mask"] == theirs["assistant_masks"]


def test_a_template_that_cannot_render_tools_is_refused_before_any_model_is_loaded(tiny, tmp_path, monkeypatch):
    from tunesmith_trainer import model as model_mod
    from tunesmith_trainer.config import load_config
    from tunesmith_trainer.events import EventWriter
    from tunesmith_trainer.recipe import TrainRecipe

    model = tmp_path / "model"
    shutil.copytree(tiny["model"], model)
    tokenizer = build_tokenizer(model)
    tokenizer.chat_template = PLAIN_CHAT_TEMPLATE
    tokenizer.save_pretrained(model)
    train = tmp_path / "train.jsonl"
    train.write_text((FIXTURES / "chat-tools-top-level.jsonl").read_text("utf-8"))
    config = write_config(tiny, tmp_path / "run", model={"path": str(model)},
                          data={"train": str(train), "validation": None})
    monkeypatch.setattr(model_mod, "load_base_model", lambda *a, **k: pytest.fail("the model was loaded"))
    with pytest.raises(TrainerError) as info:
        TrainRecipe(load_config(config), EventWriter(None, None)).setup()
    assert info.value.kind == "config"
    assert "cannot render tool calls, which train.jsonl:1 holds" in info.value.message and info.value.line == 1


def test_content_parts_are_joined_for_a_template_that_reads_only_strings(tokenizer, tmp_path):
    path = FIXTURES / "chat-content-parts.jsonl"
    saved = tokenizer.chat_template
    try:
        tokenizer.chat_template = PLAIN_CHAT_TEMPLATE
        records = data.read_records(path)
        rendering.check_template(records, tokenizer)
        text, _ = rendering.chat_spans(records[0], tokenizer)
    finally:
        tokenizer.chat_template = saved
    assert "<|user|> map :\na1 <|assistant|> b1 </s>" in text


def test_role_spellings_and_formats_are_the_linters(tmp_path):
    shared = json.loads((Path(__file__).resolve().parents[3] / "schemas" / "data-formats.json").read_text("utf-8"))
    assert data.ROLE_ALIASES == shared["roles"]
    assert data.FORMATS == tuple(f["id"] for f in shared["formats"])
    assert data.detect_format({"messages": [], "text": "x"}) == "chat"
    assert data.detect_format({"instruction": "x"}) is None


def test_reasoning_a_template_does_not_render_is_named_in_a_warning(tokenizer):
    records = data.read_records(FIXTURES / "chat-reasoning.jsonl")
    warnings: list[str] = []
    saved = tokenizer.chat_template
    try:
        tokenizer.chat_template = PLAIN_CHAT_TEMPLATE
        rendering.check_template(records, tokenizer, lambda message, hint: warnings.append(message))
        tokenizer.chat_template = CHAT_TEMPLATE
        rendering.check_template(records, tokenizer, lambda message, hint: warnings.append("rich: " + message))
    finally:
        tokenizer.chat_template = saved
    assert warnings == ["the model's chat template does not render reasoning_content, which 1 example(s) hold "
                        "(first: line 1): the model learns those answers without it"]


def test_errors_found_while_rendering_name_the_file_and_the_line(tokenizer, tmp_path):
    path = tmp_path / "train.jsonl"
    path.write_text("\n" + (FIXTURES / "chat-tools-top-level.jsonl").read_text("utf-8"))
    records = data.read_records(path)
    saved = tokenizer.chat_template
    try:
        tokenizer.chat_template = PLAIN_CHAT_TEMPLATE
        with pytest.raises(TrainerError) as info:
            rendering.check_template(records, tokenizer)
    finally:
        tokenizer.chat_template = saved
    assert "which train.jsonl:2 holds" in info.value.message
    assert (info.value.file, info.value.line) == (str(path), 2)


def test_trl_trains_exactly_the_masked_tokens_of_a_multi_turn_tool_conversation(tiny, tmp_path):
    """The mask reaches the loss: TRL's collator leaves every token outside the trained turns at -100."""
    import torch

    from conftest import prepare

    train = tmp_path / "train.jsonl"
    lines = [(FIXTURES / name).read_text("utf-8").strip() for name in
             ("chat-tools-top-level.jsonl", "chat-multi-turn.jsonl", "chat-weights.jsonl")]
    train.write_text("\n".join(lines * 4) + "\n")
    config = write_config(tiny, tmp_path / "run", data={"train": str(train), "validation": None, "max_length": 128},
                          training={"max_steps": 2, "batch_size": 4, "eval_steps": None})
    recipe = prepare(config)
    dataset = recipe.trainer.train_dataset
    batch = recipe.trainer.data_collator([dataset[i] for i in range(3)])
    tokenizer = recipe.tokenizer
    records = data.read_records(train)[:3]
    for record, ids, labels in zip(records, batch["input_ids"], batch["labels"]):
        item = rendering.encode(record, tokenizer)
        trained = [int(t) for t, label in zip(ids, labels) if label != -100]
        assert trained == [t for t, m in zip(item["input_ids"], item["completion_mask"]) if m], record.line
    # The multi-turn line: its three answers, each with the end of its turn; the weights line: the second.
    assert tokenizer.decode(
        [int(t) for t, label in zip(batch["input_ids"][1], batch["labels"][1]) if label != -100]
    ) == "b1 </s> b2 </s> b3 </s>"
    assert tokenizer.decode(
        [int(t) for t, label in zip(batch["input_ids"][2], batch["labels"][2]) if label != -100]
    ) == "b1 </s>"
    output = recipe.trainer.train()
    assert torch.isfinite(torch.tensor(output.training_loss))


# TRL ships released models' chat templates and, for each, a training version with {% generation %}
# blocks, whose transformers mask is what TRL's assistant_only_loss trains. On these our mask is the same,
# character for character (the other templates draw the turn's edges elsewhere: with or without the
# header, the newline after the end token, the next turn's role token; docs/data-contract.md).
SAME_AS_TRL = ["cohere", "cohere2", "gemma3", "idefics3", "lfm2", "lfm2_v2", "llama3", "phi3", "phi3_5",
               "qwen2_5_vl", "qwen3", "qwen3_instruct_2507", "qwen3_vl", "smolvlm"]
MASK_CASES = ["chat-basic", "chat-multi-turn", "chat-last-turn-user", "chat-tool-call-null-content",
              "chat-parallel-tool-calls", "chat-reasoning"]


@pytest.fixture(scope="module")
def byte_tokenizer():
    """One token per byte: a mask compares character for character, whatever the template's markers."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    core = Tokenizer(models.BPE(vocab={c: i for i, c in enumerate(pre_tokenizers.ByteLevel.alphabet())}, merges=[]))
    core.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)
    core.decoder = decoders.ByteLevel()
    return PreTrainedTokenizerFast(tokenizer_object=core, bos_token="<s>", eos_token="</s>", pad_token="<pad>")


@pytest.mark.parametrize("name", SAME_AS_TRL)
def test_the_mask_is_trls_on_released_models_templates(name, byte_tokenizer):
    import trl

    folder = Path(trl.__file__).parent / "chat_templates"
    tokenizer = byte_tokenizer
    checked = 0
    for case in MASK_CASES:
        [record] = data.read_records(FIXTURES / f"{case}.jsonl")
        tokenizer.chat_template = (folder / f"{name}.jinja").read_text("utf-8")
        try:
            rendering.check_template([record], tokenizer)
        except TrainerError as exc:
            assert "cannot render tool" in exc.message  # a template without tool use: refused, as it should
            continue
        ours = rendering.encode(record, tokenizer, rendering.training_template(tokenizer))
        theirs = tokenizer.apply_chat_template(
            record.messages, tools=record.tools, tokenize=True, return_dict=True, return_assistant_tokens_mask=True,
            chat_template=(folder / f"{name}_training.jinja").read_text("utf-8"))
        size = len(ours["input_ids"])  # ours stops after the last trained turn
        assert ours["input_ids"] == theirs["input_ids"][:size], case
        assert ours["completion_mask"] == theirs["assistant_masks"][:size], case
        assert not any(theirs["assistant_masks"][size:]), case
        checked += 1
    assert checked >= 4


def test_a_multi_turn_conversation_qwen3s_own_template_cannot_mask_trains_through_trls_version(byte_tokenizer):
    import trl

    tokenizer = byte_tokenizer
    tokenizer.chat_template = (Path(trl.__file__).parent / "chat_templates" / "qwen3.jinja").read_text("utf-8")
    [record] = data.read_records(FIXTURES / "chat-multi-turn.jsonl")
    with pytest.raises(TrainerError, match="renders turn 2 differently"):
        rendering.encode(record, tokenizer)
    fallback = rendering.training_template(tokenizer)
    assert fallback is not None
    item = rendering.encode(record, tokenizer, fallback)
    assert [tokenizer.decode(run) for run in trained_runs(item)] == [
        "<think>\n\n</think>\n\nb1<|im_end|>\n", "<think>\n\n</think>\n\nb2<|im_end|>\n",
        "<think>\n\n</think>\n\nb3<|im_end|>\n"]


def test_a_template_that_renders_arguments_only_as_a_string_gets_them_as_one(byte_tokenizer):
    # DeepSeek-V3's template concatenates arguments as text (transformers#45419): an object fails there.
    import trl

    tokenizer = byte_tokenizer
    tokenizer.chat_template = (Path(trl.__file__).parent / "chat_templates" / "deepseekv3.jinja").read_text("utf-8")
    records = data.read_records(FIXTURES / "chat-tool-call-null-content.jsonl")
    rendering.check_template(records, tokenizer)
    item = rendering.encode(records[0], tokenizer)
    first = tokenizer.decode(trained_runs(item)[0])
    assert "lookup" in first and '{"letter": "a1"}' in first
