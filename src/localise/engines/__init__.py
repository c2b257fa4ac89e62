"""Machine-translation engines behind one small protocol, looked up by name.

Importing this package is cheap: engine modules (and ctranslate2, sentencepiece,
argostranslate) are imported only when :func:`get_engine` builds that engine. To add an engine,
write a module with a class implementing :class:`Engine` (``cls(options=EngineOptions)``) and
list it in the registry below and in :data:`localise.choices.ENGINES`.
"""

from __future__ import annotations

import importlib

from localise.choices import check_engine
from localise.engines.base import (
    CALL_SIZE,
    DEVICES,
    Engine,
    EngineOptions,
    Identity,
    OptionError,
    WarmUp,
    call_size,
    identity,
    split_outer_space,
)

__all__ = [
    "CALL_SIZE",
    "DEVICES",
    "ENGINE_NAMES",
    "Engine",
    "EngineOptions",
    "Identity",
    "OptionError",
    "WarmUp",
    "call_size",
    "check_name",
    "get_engine",
    "identity",
    "split_outer_space",
]

# name -> "module:class"; each class is built as ``cls(options=options)`` (the same names as
# :data:`localise.choices.ENGINES`, which checks them without importing any engine).
_REGISTRY: dict[str, str] = {
    "argos": "localise.engines.argos:ArgosEngine",
    "apertium": "localise.engines.apertium:ApertiumEngine",
    "pseudo": "localise.engines.pseudo:PseudoEngine",
}
ENGINE_NAMES: tuple[str, ...] = tuple(_REGISTRY)


def check_name(name: str) -> None:
    """Raise EngineError unless ``name`` is a registered engine."""
    check_engine(name, tuple(_REGISTRY))


def get_engine(name: str, *, options: EngineOptions) -> Engine:
    """Build the engine registered as ``name``; unknown names raise EngineError listing them."""
    check_name(name)
    module_name, _, class_name = _REGISTRY[name].partition(":")
    cls = getattr(importlib.import_module(module_name), class_name)
    engine: Engine = cls(options=options)
    return engine
