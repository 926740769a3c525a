"""A tiny Llama-architecture model and a word-level tokenizer built locally (no download), plus a
synthetic task such a model learns in a few hundred CPU steps. Used by the tests and by
``bench --tiny``."""

from __future__ import annotations

import json
import random
from pathlib import Path

# Renders plain turns as `<s><|user|> text <|assistant|> text </s> `, and what people's data holds besides:
# tools, tool calls (arguments as JSON), tool results, content parts and reasoning, in the spirit of the
# tool-use templates of released models.
CHAT_TEMPLATE = (
    "{{ bos_token }}"
    "{% if tools %}<|system|> tools :{% for t in tools %} {{ t['function']['name'] }}{% endfor %} {% endif %}"
    "{% for m in messages %}<|{{ m['role'] }}|>"
    "{% if m['reasoning_content'] %} <think> {{ m['reasoning_content'] }} </think>{% endif %}"
    "{% if m['content'] is string and m['content'] %} {{ m['content'] }}"
    "{% elif m['content'] %}{% for p in m['content'] %} {{ p['text'] }}{% endfor %}{% endif %}"
    "{% for c in m['tool_calls'] or [] %} <call> {{ c['function']['name'] }}"
    " {{ c['function']['arguments'] | tojson }} </call>{% endfor %} "
    "{% if m['role'] == 'assistant' %}{{ eos_token }} {% endif %}{% endfor %}"
    "{% if add_generation_prompt %}<|assistant|> {% endif %}"
)
# The template the tiny model had first: role and content only, as older models' templates (no tools).
PLAIN_CHAT_TEMPLATE = (
    "{{ bos_token }}{% for m in messages %}<|{{ m['role'] }}|> {{ m['content'] }} "
    "{% if m['role'] == 'assistant' %}{{ eos_token }} {% endif %}{% endfor %}"
    "{% if add_generation_prompt %}<|assistant|> {% endif %}"
)
SPECIALS = ["<pad>", "<s>", "</s>", "<unk>", "<|system|>", "<|user|>", "<|assistant|>"]
LETTERS = [f"a{i}" for i in range(12)]
TARGETS = [f"b{i}" for i in range(12)]
NOISE = [f"n{i}" for i in range(8)]
WORDS = LETTERS + TARGETS + NOISE + ["map", ":"]


def build_tokenizer(directory: Path):
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    vocab = {token: i for i, token in enumerate(SPECIALS + WORDS)}
    core = Tokenizer(models.WordLevel(vocab=vocab, unk_token="<unk>"))
    core.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=core,
        bos_token="<s>",
        eos_token="</s>",
        pad_token="<pad>",
        unk_token="<unk>",
        additional_special_tokens=SPECIALS[4:],
    )
    tokenizer.chat_template = CHAT_TEMPLATE
    tokenizer.save_pretrained(directory)
    return tokenizer


def build_model(directory: str | Path, *, hidden: int = 64, layers: int = 2, seed: int = 0) -> Path:
    """Writes a random-weight Llama model and its tokenizer to ``directory`` in Hugging Face layout."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    directory = Path(directory)
    tokenizer = build_tokenizer(directory)
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=hidden,
        intermediate_size=hidden * 2,
        num_hidden_layers=layers,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=256,
        # The default 0.02 caps what a frozen 64-wide LM head can express (logit gaps of about 1),
        # so LoRA could not push the loss below ~2.5 on this task.
        initializer_range=0.1,
        tie_word_embeddings=False,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )
    torch.manual_seed(seed)
    LlamaForCausalLM(config).save_pretrained(directory)
    return directory


def mapping(seed: int = 0) -> dict[str, str]:
    targets = TARGETS[:]
    random.Random(seed).shuffle(targets)
    return dict(zip(LETTERS, targets))


def task_example(rng: random.Random, table: dict[str, str], length: int = 3) -> dict:
    """Chat example: map each letter through a fixed table, in order (``a3 a1`` -> ``b7 b2``)."""
    letters = [rng.choice(LETTERS) for _ in range(length)]
    return {
        "messages": [
            {"role": "user", "content": "map : " + " ".join(letters)},
            {"role": "assistant", "content": " ".join(table[x] for x in letters)},
        ]
    }


def write_task(directory: str | Path, train: int = 400, validation: int = 32, test: int = 32, seed: int = 0) -> dict:
    """Writes train/validation/test JSONL files with disjoint inputs; returns their paths."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    rng, table, seen = random.Random(seed), mapping(seed), set()
    paths = {}
    for name, count in (("test", test), ("validation", validation), ("train", train)):
        lines = []
        while len(lines) < count:
            example = task_example(rng, table)
            key = example["messages"][0]["content"]
            if name != "train" and key in seen:
                continue
            if name == "train" and key in seen:
                continue
            seen.add(key)
            lines.append(json.dumps(example))
        paths[name] = directory / f"{name}.jsonl"
        paths[name].write_text("\n".join(lines) + "\n", encoding="utf-8")
    return paths
