"""Command line: ``python -m tunesmith_trainer {doctor,estimate,train,evaluate} [--config run.json]``.

Every command prints JSON; ``train`` prints the event stream (docs/trainer-events.md). Exit status:
0 done (completed or cancelled), 1 an error was reported, 2 bad command line."""

from __future__ import annotations

import argparse
import contextlib
import json
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
    for an editor that follows a detached evaluation."""
    from .evaluate import evaluate

    config = load_config(args.config)
    events = EventWriter(config.run_dir, None, name="evaluation.events.jsonl")
    try:
        events.emit("eval_started", file=args.file, limit=args.limit)
        summary = evaluate(
            config,
            file=args.file,
            output=args.output,
            limit=args.limit,
            progress=lambda phase, done, total: events.emit("eval_progress", phase=phase, done=done, total=total),
        )
        events.emit("eval_finished", status="completed", summary=summary)
        _print(summary)
        return 0
    except TrainerError as exc:
        events.error(**exc.event_fields())
        events.emit("eval_finished", status="failed")
        raise
    except Exception as exc:  # noqa: BLE001 - a detached evaluation reports only through its events
        traceback.print_exc(file=sys.stderr)
        events.error("internal", f"{type(exc).__name__}: {exc}", "This is a bug in tunesmith; the log has the trace.")
        events.emit("eval_finished", status="failed")
        return 1
    finally:
        events.close()


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
            p.add_argument("--file", help="held-out JSONL (default: evaluation.file, else data.validation)")
            p.add_argument("--output", help="output JSONL (default: <run dir>/evaluation.jsonl)")
            p.add_argument("--limit", type=int, help="only the first N examples")
    args = parser.parse_args(argv)
    handler = {"doctor": cmd_doctor, "estimate": cmd_estimate, "train": cmd_train, "evaluate": cmd_evaluate}[args.command]
    if args.command == "train":
        return handler(args)
    try:
        return handler(args)
    except TrainerError as exc:
        _print({"error": exc.event_fields()})
        return 1
