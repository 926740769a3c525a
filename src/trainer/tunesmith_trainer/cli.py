"""Command line: ``python -m tunesmith_trainer {doctor,estimate,train,evaluate,score,compare} ...``.

Every command prints JSON; ``train`` prints the event stream (docs/trainer-events.md), the others one
object (their summary, or ``{"error": {...}}``). docs/evaluation.md describes evaluate, score and
compare. Exit status: 0 done (completed or cancelled), 1 an error was reported, 2 bad command line."""

from __future__ import annotations

import argparse
import contextlib
import json
import signal
import sys
import traceback
from pathlib import Path
from typing import IO, Sequence

from .config import declared_run_dir, load_config
from .errors import TrainerError
from .events import EventWriter, open_run_events


def _print(value: object) -> None:
    sys.stdout.write(json.dumps(value, indent=2) + "\n")


def cmd_train(args: argparse.Namespace) -> int:
    # stdout carries only events; libraries that print (Trainer's log printer, warnings) go to stderr.
    stream = sys.stdout
    with contextlib.redirect_stdout(sys.stderr):
        return _train(args, stream)


def _train(args: argparse.Namespace, stream: IO[str]) -> int:
    from . import launch
    from .stop import Stop, StopRequested

    run_dir = None
    events = EventWriter(None, stream, enabled=launch.is_rank_zero())
    with Stop() as stop:
        try:
            # Known even when the rest of the config is invalid, so its errors reach the run's events too.
            run_dir = declared_run_dir(args.config)
            if run_dir is not None:
                events = open_run_events(run_dir, stream, enabled=launch.is_rank_zero())
            config = load_config(args.config)
            if launch.needs_launch(config):
                stop.restore()  # the launched ranks handle the signals
                code = launch.launch(config, Path(args.config).resolve(), resume=args.resume)
                events.close()
                return code
            from .recipe import TrainRecipe

            recipe = TrainRecipe(config, events, resume=args.resume, accept_changes=args.accept_changes, stop=stop)
            try:
                recipe.setup()
                finished = recipe.train()
            finally:
                recipe.cleanup()
            events.close()
            return 0 if finished["status"] in ("completed", "cancelled") else 1
        except StopRequested as exc:
            stop.graceful = True
            events.warning(f"stopped by {exc.args[0]} before training started; nothing was trained",
                           "Start the run again when you want it.")
            events.emit("finished", status="cancelled", paths=_paths(run_dir), metrics={})
            events.close()
            return 0
        except TrainerError as exc:
            stop.graceful = True
            events.error(**exc.event_fields())
        except OSError as exc:  # a full disk, a permission: what and where, not "a bug"
            stop.graceful = True
            traceback.print_exc(file=sys.stderr)
            events.error(**TrainerError.from_os_error(exc).event_fields())
        except Exception as exc:  # noqa: BLE001 - every failure must reach the editor as an event
            stop.graceful = True
            traceback.print_exc(file=sys.stderr)
            events.error("internal", f"{type(exc).__name__}: {exc}", "This is a bug in tunesmith; the log has the trace.")
        events.emit("finished", status="failed", paths=_paths(run_dir), metrics={})
        events.close()
        return 1


def _paths(run_dir: Path | None) -> dict[str, str]:
    return {"run_dir": str(run_dir)} if run_dir else {}


def cmd_doctor(args: argparse.Namespace) -> int:
    from .doctor import doctor

    _print(doctor())
    return 0


def cmd_estimate(args: argparse.Namespace) -> int:
    from .estimate import estimate

    _print(estimate(load_config(args.config)))
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    """Prints the summary; progress goes to ``<run dir>/evaluation.events.jsonl`` (docs/trainer-events.md)
    for an editor that follows a detached evaluation. SIGTERM or SIGINT cancels: nothing is written."""
    from .evaluate import EvaluationCancelled, evaluate

    config = load_config(args.config)
    events = EventWriter(config.run_dir, None, name="evaluation.events.jsonl")
    cancelled = False

    def on_signal(signum: int, frame: object) -> None:
        nonlocal cancelled
        cancelled = True

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        events.emit("eval_started", file=args.file, limit=args.limit, checkpoint=args.checkpoint)
        summary = evaluate(
            config,
            file=args.file,
            output=args.output,
            limit=args.limit,
            checkpoint=args.checkpoint,
            progress=lambda phase, done, total: events.emit("eval_progress", phase=phase, done=done, total=total),
            cancel=lambda: cancelled,
        )
        events.emit("eval_finished", status="completed", summary=summary)
        _print(summary)
        return 0
    except EvaluationCancelled:
        events.emit("eval_finished", status="cancelled")
        _print({"status": "cancelled"})
        return 0
    except TrainerError as exc:
        events.error(**exc.event_fields())
        events.emit("eval_finished", status="failed")
        raise
    except Exception as exc:  # noqa: BLE001 - a detached evaluation reports only through its events
        events.error("internal", f"{type(exc).__name__}: {exc}", "This is a bug in tunesmith; the log has the trace.")
        events.emit("eval_finished", status="failed")
        raise
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        events.close()


def cmd_score(args: argparse.Namespace) -> int:
    from .predictions import score

    _print(score(args.predictions, layout=args.layout, prompt=args.prompt, reference=args.reference, base=args.base,
                 tuned=args.tuned, heldout=args.heldout, output=args.output))
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    from .compare import compare

    _print(compare(args.base, args.tuned, args.output))
    return 0


def _internal(exc: Exception) -> int:
    traceback.print_exc(file=sys.stderr)
    _print({"error": {"kind": "internal", "message": f"{type(exc).__name__}: {exc}",
                      "hint": "This is a bug in tunesmith; stderr has the trace."}})
    return 1


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tunesmith_trainer")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("doctor", help="Python, torch, CUDA, GPUs and package versions as JSON")
    for name, help_ in (("estimate", "GPU memory the run needs"), ("train", "run the training"), ("evaluate", "base vs tuned generations")):
        p = sub.add_parser(name, help=help_)
        p.add_argument("--config", required=True, help="run config JSON (schemas/run-config.schema.json)")
        if name == "train":
            p.add_argument("--resume", action="store_true", help="continue from the newest complete checkpoint")
            p.add_argument("--accept-changes", action="store_true",
                           help="with --resume: continue although the data or the config changed since the run started")
        if name == "evaluate":
            p.add_argument("--checkpoint", help="a checkpoint of the run (checkpoint-150) instead of its final result")
            p.add_argument("--file", help="held-out JSONL (default: evaluation.file, else data.validation)")
            p.add_argument("--output", help="the report (default: <run dir>/evaluations/<final|checkpoint>.json)")
            p.add_argument("--limit", type=int, help="only the first N examples")
    p = sub.add_parser("score", help="score a predictions file (no model)")
    p.add_argument("--predictions", required=True, help="JSONL: evaluation.jsonl, generated_predictions.jsonl, any")
    p.add_argument("--layout", choices=["auto", "tunesmith", "llamafactory", "columns"], default="auto")
    for column in ("prompt", "reference", "base", "tuned"):
        p.add_argument(f"--{column}", metavar="COL", help=f"the field that holds the {column}")
    p.add_argument("--heldout", help="the held-out JSONL the predictions were made on (lines, hashes, turns)")
    p.add_argument("--output", help="the report (default: <predictions stem>.evaluation.json beside it)")
    p = sub.add_parser("compare", help="two reports on one held-out file: A's tuned outputs vs B's")
    p.add_argument("--base", required=True, metavar="REPORT_A", help="its tuned outputs become base")
    p.add_argument("--tuned", required=True, metavar="REPORT_B", help="its tuned outputs stay tuned")
    p.add_argument("--output", help="the report (default: compare-<a>-<b>.json beside REPORT_B)")
    args = parser.parse_args(argv)
    handler = {"doctor": cmd_doctor, "estimate": cmd_estimate, "train": cmd_train, "evaluate": cmd_evaluate,
               "score": cmd_score, "compare": cmd_compare}[args.command]
    if args.command == "train":
        return handler(args)
    try:
        return handler(args)
    except TrainerError as exc:
        _print({"error": exc.event_fields()})
        return 1
    except Exception as exc:  # noqa: BLE001 - every command answers with one JSON object
        return _internal(exc)
