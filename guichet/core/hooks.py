"""Hooks: how a lower app lets the apps above it act on what it does, without importing them.

A lower app declares a `Hook` and calls `send()` where the event happens (inside its transaction);
an upper app connects its listener in its `AppConfig.ready()`. The layers stay one-way (import-linter
checks it), and `Hook.declared()` lists every hook with its listeners (a test pins that list, so a
listener is never silently lost)."""

from collections.abc import Callable
from typing import Any, ClassVar


class Hook:
    _declared: ClassVar[list["Hook"]] = []

    def __init__(self, name: str, *, doc: str) -> None:
        self.name = name
        self.doc = doc
        self._listeners: list[Callable[..., Any]] = []
        Hook._declared.append(self)

    def connect(self, listener: Callable[..., Any]) -> Callable[..., Any]:
        """Add a listener (connecting it twice keeps one); usable as a decorator."""
        if listener not in self._listeners:
            self._listeners.append(listener)
        return listener

    def send(self, **kwargs: Any) -> None:
        """Call every listener, in the order they were connected, with keyword arguments only."""
        for listener in self._listeners:
            listener(**kwargs)

    @property
    def listeners(self) -> list[str]:
        return [f"{listener.__module__}.{listener.__qualname__}" for listener in self._listeners]

    @classmethod
    def declared(cls) -> dict[str, list[str]]:
        """Every hook and its listeners, by name."""
        return {hook.name: hook.listeners for hook in cls._declared}

    def __repr__(self) -> str:
        return f"<Hook {self.name}: {len(self._listeners)} listener(s)>"
