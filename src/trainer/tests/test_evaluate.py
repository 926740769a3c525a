"""`evaluate`: progress in evaluation.events.jsonl, a report that fits the schema, a chosen checkpoint,
the base model's generations reused, damaged weights refused before any generation, cancellation and
kills that leave the previous report as it was, and outputs kept exactly as the model wrote them."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from conftest import train, validate_report, write_config
from tunesmith_trainer.cli import main
from tunesmith_trainer.events import validate_event


def read_eval_events(run_dir):
    events = [json.loads(line) for line in (run_dir / "evaluation.events.jsonl").read_text("utf-8").splitlines()]
    for event in events:
        validate_event(event, "evaluation-events")
    return events


def last_run(events):
    starts = [i for i, e in enumerate(events) if e["type"] == "eval_started"]
    return events[starts[-1]:]


@pytest.fixture(scope="module")
def short_run(tiny, tmp_path_factory):
    """Four steps with a checkpoint every two: enough to evaluate, not to learn."""
    run_dir = tmp_path_factory.mktemp("evaluate") / "run"
    config = write_config(tiny, run_dir, training={"max_steps": 4, "eval_steps": 1000, "save_steps": 2},
                          evaluation={"batch_size": 4, "max_new_tokens": 4})
    assert train(config) == 0
    return config, run_dir


def copy_run(short_run, tmp_path):
    config, run_dir = short_run
    copy = tmp_path / "run"
    shutil.copytree(run_dir, copy, ignore=shutil.ignore_patterns("evaluation*", "evaluations"))
    raw = json.loads(Path(config).read_text())
    raw["output"]["dir"] = str(copy)
    path = tmp_path / "run.json"
    path.write_text(json.dumps(raw))
    return path, copy


def test_evaluate_reports_progress_then_the_summary_and_writes_a_report(short_run, capsys):
    config, run_dir = short_run
    capsys.readouterr()
    assert main(["evaluate", "--config", str(config), "--limit", "6"]) == 0
    printed = json.loads(capsys.readouterr().out)

    events = last_run(read_eval_events(run_dir))
    assert events[0]["type"] == "eval_started" and events[0]["limit"] == 6
    progress = [(e["phase"], e["done"], e["total"]) for e in events if e["type"] == "eval_progress"]
    # Batches of 4 over 6 examples: 0, 4, 6 for each model, base first.
    assert progress == [("base", 0, 6), ("base", 4, 6), ("base", 6, 6), ("tuned", 0, 6), ("tuned", 4, 6), ("tuned", 6, 6)]
    finished = events[-1]
    assert finished["type"] == "eval_finished" and finished["status"] == "completed"
    assert finished["summary"] == printed and printed["examples"] == 6
    assert printed["report"] == printed["output"] == str(run_dir / "evaluations" / "final.json")
    report = validate_report(json.loads(Path(printed["report"]).read_text()))
    assert report["id"] == "final" and report["run"] == {"dir": str(run_dir), "step": 4}
    assert report["source"]["heldout"]["lines"] == 32 and len(report["examples"]) == 6
    assert report["generation"]["greedy"] is True and "clean_up_tokenization_spaces=False" in report["generation"]["decoding"]
    assert report["systems"]["tuned"]["weights"] == str(run_dir / "adapter")
    assert printed["exact_match"] == {n: report["metrics"][n]["exact"] for n in ("base", "tuned")}
    held = Path(report["source"]["heldout"]["path"]).read_text().splitlines()
    import hashlib

    for example in report["examples"]:
        assert example["line_hash"] == hashlib.sha256(held[example["line"] - 1].encode()).hexdigest()
        tokens = example["tokens"]
        assert "".join(tokens["text"]) == example["reference"]
        assert len(tokens["text"]) == len(tokens["base"]) == len(tokens["tuned"])
        assert all(v <= 0 for v in tokens["base"] + tokens["tuned"])


def test_evaluate_before_training_reports_the_error_then_failed(tiny, tmp_path, capsys):
    run_dir = tmp_path / "untrained"
    config = write_config(tiny, run_dir)
    assert main(["evaluate", "--config", str(config)]) == 1
    events = read_eval_events(run_dir)
    assert [e["type"] for e in events] == ["eval_started", "error", "eval_finished"]
    assert "no trained result" in events[1]["message"] and events[-1]["status"] == "failed"
    assert "error" in json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("damage", ["missing", "truncated", "config"])
def test_a_damaged_adapter_is_refused_before_anything_is_generated(short_run, tmp_path, capsys, damage):
    config, run_dir = copy_run(short_run, tmp_path)
    weights = run_dir / "adapter" / "adapter_model.safetensors"
    if damage == "missing":
        weights.unlink()
    elif damage == "truncated":
        weights.write_bytes(weights.read_bytes()[:1000])
    else:
        (run_dir / "adapter" / "adapter_config.json").write_text("{not json")
    capsys.readouterr()
    assert main(["evaluate", "--config", str(config)]) == 1
    printed = json.loads(capsys.readouterr().out)["error"]
    events = read_eval_events(run_dir)
    # Before: the base model generated every example (eval_progress events), then loading failed.
    assert [e["type"] for e in events] == ["eval_started", "error", "eval_finished"]
    assert printed["kind"] == "config" and str(run_dir / "adapter") in printed["message"]
    assert {"missing": "no adapter_model.safetensors", "truncated": "damaged or incomplete",
            "config": "cannot be read"}[damage] in printed["message"]
    assert not (run_dir / "evaluations").exists()


def test_a_checkpoint_is_evaluated_and_the_base_generations_are_reused(short_run, tmp_path, capsys):
    config, run_dir = copy_run(short_run, tmp_path)
    assert main(["evaluate", "--config", str(config), "--checkpoint", "checkpoint-2", "--limit", "8"]) == 0
    first = validate_report(json.loads((run_dir / "evaluations" / "checkpoint-2.json").read_text()))
    assert first["id"] == "checkpoint-2" and first["run"]["checkpoint"] == "checkpoint-2" and first["run"]["step"] == 2
    assert first["systems"]["tuned"]["label"] == "checkpoint-2"
    assert first["systems"]["tuned"]["weights"] == str(run_dir / "checkpoints" / "checkpoint-2")
    caches = list((run_dir / "evaluations" / ".cache").iterdir())
    assert len(caches) == 1

    assert main(["evaluate", "--config", str(config), "--limit", "8"]) == 0
    final = validate_report(json.loads((run_dir / "evaluations" / "final.json").read_text()))
    base_progress = [e["done"] for e in last_run(read_eval_events(run_dir)) if e.get("phase") == "base"]
    assert base_progress == [0, 8]  # no batch generated: the cached outputs
    assert any("earlier evaluation of this run" in note for note in final["notes"])
    assert [e["outputs"]["base"] for e in final["examples"]] == [e["outputs"]["base"] for e in first["examples"]]
    assert [e["tokens"]["base"] for e in final["examples"]] == [e["tokens"]["base"] for e in first["examples"]]
    assert list((run_dir / "evaluations" / ".cache").iterdir()) == caches

    # Other generation settings are another key.
    raw = json.loads(config.read_text())
    raw["evaluation"]["max_new_tokens"] = 3
    config.write_text(json.dumps(raw))
    assert main(["evaluate", "--config", str(config), "--limit", "8", "--output", str(tmp_path / "other.json")]) == 0
    assert len(list((run_dir / "evaluations" / ".cache").iterdir())) == 2

    capsys.readouterr()
    assert main(["evaluate", "--config", str(config), "--checkpoint", "checkpoint-99"]) == 1
    error = json.loads(capsys.readouterr().out)["error"]
    assert "no checkpoint 'checkpoint-99'" in error["message"] and "checkpoint-2, checkpoint-4" in error["hint"]


def spawn_evaluate(config: Path, heldout: Path) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "tunesmith_trainer", "evaluate", "--config", str(config),
                             "--file", str(heldout), "--output", str(Path(config).parent / "report.json")],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)


def wait_for_generation(run_dir: Path, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and process.poll() is None:
        path = run_dir / "evaluation.events.jsonl"
        events = [json.loads(line) for line in path.read_text().splitlines()] if path.is_file() else []
        if any(e["type"] == "eval_progress" and e["done"] > 0 for e in events):
            return
        time.sleep(0.05)  # polling for the state we wait for, not a fixed wait
    raise AssertionError("the evaluation never started generating")


@pytest.mark.parametrize("how", ["SIGTERM", "SIGKILL"])
def test_a_cancelled_or_killed_evaluation_leaves_the_previous_report_as_it_was(short_run, tiny, tmp_path, how):
    config, run_dir = copy_run(short_run, tmp_path)
    raw = json.loads(config.read_text())
    raw["evaluation"]["batch_size"] = 1  # 400 examples one by one: long enough to stop half-way
    config.write_text(json.dumps(raw))
    previous = tmp_path / "report.json"
    previous.write_text('{"previous": true}\n')
    process = spawn_evaluate(config, tiny["train"])
    wait_for_generation(run_dir, process)
    process.send_signal(getattr(signal, how))
    out, _ = process.communicate(timeout=120)
    assert previous.read_text() == '{"previous": true}\n'
    if how == "SIGTERM":
        assert process.returncode == 0 and json.loads(out) == {"status": "cancelled"}
        events = read_eval_events(run_dir)
        assert events[-1]["type"] == "eval_finished" and events[-1]["status"] == "cancelled"
    else:
        assert process.returncode == -signal.SIGKILL


def test_outputs_are_decoded_as_written_and_truncation_is_flagged(tmp_path):
    import torch
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    from tunesmith_trainer.evaluate import generate_rows

    words = ["<pad>", "</s>", "The", "capital", "is", "Lima", ".", "Lima."]
    core = Tokenizer(models.WordLevel(vocab={w: i for i, w in enumerate(words)}, unk_token="<pad>"))
    core.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    # Llama's and GPT-2's tokenizers clean up by default: " ." becomes "." at decode time.
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=core, eos_token="</s>", pad_token="<pad>",
                                        clean_up_tokenization_spaces=True)

    class Model:
        """transformers' generate() stands in for a model trained to write these rows (a boundary we do not own)."""

        generation_config = SimpleNamespace(eos_token_id=1)

        def parameters(self):
            yield torch.zeros(1)

        def generate(self, input_ids, max_new_tokens, **kwargs):
            rows = torch.tensor([[2, 3, 4, 5, 6, 1], [5, 6, 5, 6, 5, 6]])[: input_ids.shape[0], :max_new_tokens]
            return torch.cat([input_ids, rows], dim=1)

    outputs, truncated = generate_rows(Model(), tokenizer, ["The", "The"], batch_size=2, max_new_tokens=6)
    assert outputs == ["The capital is Lima .", "Lima . Lima . Lima ."]
    assert truncated == [False, True]


@pytest.mark.parametrize("method", [
    {"type": "partial", "partial": {"layers": -1}},  # its checkpoints are whole models (Trainer's save)
    {"type": "full"},
    {"type": "prompt_tuning", "prompt_tuning": {"num_virtual_tokens": 4}},  # an adapter; its logits lead with 4 virtual tokens
])
def test_every_methods_checkpoint_and_result_evaluate(tiny, tmp_path, method):
    run_dir = tmp_path / "run"
    config = write_config(tiny, run_dir, method=method, training={"max_steps": 2, "eval_steps": 1000, "save_steps": 2},
                          evaluation={"batch_size": 4, "max_new_tokens": 3})
    assert train(config) == 0
    for extra in (["--checkpoint", "checkpoint-2"], []):
        assert main(["evaluate", "--config", str(config), "--limit", "4", *extra]) == 0
    for name, weights in (("checkpoint-2", run_dir / "checkpoints" / "checkpoint-2"),
                          ("final", run_dir / {"partial": "partial", "full": "model"}.get(method["type"], "adapter"))):
        report = validate_report(json.loads((run_dir / "evaluations" / f"{name}.json").read_text()))
        assert report["systems"]["tuned"]["weights"] == str(weights)
        for example in report["examples"]:
            assert len(example["tokens"]["tuned"]) == len(example["tokens"]["text"]) == len(example["tokens"]["base"])
    # The base model is the same for both: generated once.
    assert len(list((run_dir / "evaluations" / ".cache").iterdir())) == 1
