"""The demo scenarios' registry: a scenario module registers its functions here, ``weaklabel demo`` runs them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..markdown import Report

ScenarioFn = Callable[[Report, int], list[dict[str, Any]]]


@dataclass(frozen=True)
class Scenario:
    name: str
    title: str
    run: ScenarioFn


SCENARIOS: dict[str, Scenario] = {}


def register_scenario(name: str, title: str) -> Callable[[ScenarioFn], ScenarioFn]:
    """Decorator: add a demo scenario."""

    def decorate(fn: ScenarioFn) -> ScenarioFn:
        SCENARIOS[name] = Scenario(name, title, fn)
        return fn

    return decorate
