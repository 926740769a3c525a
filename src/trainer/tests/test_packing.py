"""What the loss is computed on: packing (fewer, fuller rows, prompts still masked) and the
completion-only switch, asserted on the labels TRL's data preparation and collator really build."""

from __future__ import annotations

import pytest

from conftest import prepare, read_events, train, write_config
from tunesmith_trainer.tiny import TARGETS

IGNORE = -100


@pytest.fixture(scope="module")
def recipes(tiny, tmp_path_factory):
    root = tmp_path_factory.mktemp("pipeline")
    made = {}
    for name, data in (("plain", {}), ("packed", {"packing": True}), ("all_tokens", {"completion_only_loss": False})):
        made[name] = prepare(write_config(tiny, root / name, data=data))
    yield made
    for recipe in made.values():
        recipe.cleanup()


def trained_words(tokenizer, ids, labels):
    return tokenizer.convert_ids_to_tokens([t for t, label in zip(ids, labels) if label != IGNORE])


def first_batch(recipe):
    return next(iter(recipe.trainer.get_train_dataloader()))


def test_completion_only_loss_masks_every_prompt_token(recipes):
    recipe = recipes["plain"]
    rows = recipe.trainer.train_dataset
    assert len(rows) == recipe.examples["train"]
    for row in rows:
        words = trained_words(recipe.tokenizer, row["input_ids"], row["labels"])
        assert words[-1] == "</s>" and set(words[:-1]) <= set(TARGETS), words
    batch = first_batch(recipe)
    assert batch["labels"].shape == batch["input_ids"].shape
    for ids, labels in zip(batch["input_ids"].tolist(), batch["labels"].tolist()):
        assert set(trained_words(recipe.tokenizer, ids, labels)) <= set(TARGETS) | {"</s>"}


def test_with_completion_only_loss_off_the_prompt_tokens_are_trained(recipes):
    recipe = recipes["all_tokens"]
    for row in recipe.trainer.train_dataset:
        assert row["labels"] == row["input_ids"]
    batch = first_batch(recipe)
    real = batch["attention_mask"].bool()
    assert (batch["labels"][real] == batch["input_ids"][real]).all()
    words = trained_words(recipe.tokenizer, batch["input_ids"][0].tolist(), batch["labels"][0].tolist())
    assert {"<|user|>", "map", ":", "<|assistant|>"} <= set(words)


def test_packing_makes_fewer_fuller_rows_and_keeps_the_prompt_mask(recipes):
    plain, packed = recipes["plain"], recipes["packed"]
    max_length = packed.config.data.max_length
    rows = packed.trainer.train_dataset
    assert len(rows) <= len(plain.trainer.train_dataset) / 2
    assert all(len(r["input_ids"]) <= max_length for r in rows)
    assert sum(map(len, rows["input_ids"])) == sum(map(len, plain.trainer.train_dataset["input_ids"]))
    assert sum(len(r["seq_lengths"]) for r in rows) == packed.examples["train"]

    trained = [trained_words(packed.tokenizer, r["input_ids"], r["labels"]) for r in rows]
    assert set(w for words in trained for w in words) <= set(TARGETS) | {"</s>"}
    count = sum(map(len, trained))
    assert count == sum(sum(label != IGNORE for label in r) for r in plain.trainer.train_dataset["labels"])

    # Padding-free batches: one row of real tokens; positions restart at each example, whose first label is ignored.
    batch, plain_batch = first_batch(packed), first_batch(plain)
    assert batch["input_ids"].shape[0] == 1 and "attention_mask" not in batch
    assert batch["input_ids"].shape[1] >= 1.5 * int(plain_batch["attention_mask"].sum())
    starts = batch["position_ids"][0] == 0
    assert (batch["labels"][0][starts] == IGNORE).all()
    words = trained_words(packed.tokenizer, batch["input_ids"][0].tolist(), batch["labels"][0].tolist())
    assert set(words) <= set(TARGETS) | {"</s>"}


def test_packed_examples_do_not_attend_to_each_other(recipes):
    import torch

    packed = recipes["packed"]
    batch = first_batch(packed)
    ids, positions = batch["input_ids"], batch["position_ids"]
    model = packed.model.eval()
    with torch.no_grad():
        together = model(input_ids=ids, position_ids=positions).logits[0]
        starts = (positions[0] == 0).nonzero().flatten().tolist() + [ids.shape[1]]
        for start, end in zip(starts, starts[1:]):
            alone = model(input_ids=ids[:, start:end]).logits[0]
            torch.testing.assert_close(together[start:end], alone, rtol=1e-4, atol=1e-4)


def test_a_packed_run_takes_fewer_steps_and_trains(tiny, tmp_path):
    run_dir = tmp_path / "packed"
    epochs = 6
    config = write_config(tiny, run_dir, data={"packing": True}, training={"epochs": epochs, "eval_steps": 20})
    assert train(config) == 0
    events = read_events(run_dir)
    total = [e["total_steps"] for e in events if e["type"] == "progress"][-1]
    unpacked = epochs * 400 // 16
    assert total <= 0.6 * unpacked
    losses = [e["loss"] for e in events if e["type"] == "log"]
    assert losses[-1] <= losses[0] / 2, losses
    assert any(e["type"] == "eval" for e in events)
    assert events[-1]["status"] == "completed" and events[-1]["step"] == total


def test_trl_loss_and_token_accuracy_cover_exactly_the_completion_tokens(recipes):
    # An earlier tiny model logged accuracy 1.0 at loss 2.5: its frozen LM head capped the logit range,
    # so the right token led by a hair. Both numbers must come from the same tokens: our labels, shifted.
    import torch

    recipe = recipes["plain"]
    trainer, batch = recipe.trainer, first_batch(recipe)
    model = recipe.model.eval()
    with torch.no_grad():
        loss = trainer.compute_loss(model, dict(batch))
        logits = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits[:, :-1]
    labels = batch["labels"][:, 1:]
    mask = labels != IGNORE
    assert int(mask.sum()) == 4 * batch["input_ids"].shape[0]  # three answer words and </s> per example
    expected = torch.nn.functional.cross_entropy(logits[mask], labels[mask])
    torch.testing.assert_close(loss, expected, rtol=1e-4, atol=1e-4)
    accuracy = (logits[mask].argmax(-1) == labels[mask]).float().mean().item()
    assert trainer._metrics["eval"]["mean_token_accuracy"][-1] == pytest.approx(accuracy)
