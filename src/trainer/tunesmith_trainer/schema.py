"""Loads the JSON Schemas shared with the TypeScript side. The canonical files live in the repository's
``schemas/`` folder; the package's ``schemas`` folder is a symlink to it, which setuptools follows when it
builds a wheel, so an installed (non-editable) package carries its own copy."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any, Literal

SchemaName = Literal["run-config", "events", "evaluation-events", "evaluation-report"]


@cache
def load_schema(name: SchemaName) -> dict[str, Any]:
    text = resources.files("tunesmith_trainer").joinpath("schemas", f"{name}.schema.json").read_text("utf-8")
    return json.loads(text)
