"""One place that turns `Settings.store` into a vector store of an index generation.

Each generation has two collections: its chunks (`ki-<generation>`) and their answer units
(`ki-<generation>-units`); the names are part of the manifest contract (docs/design.md).
"""

from __future__ import annotations

from bot.config import STORES, Settings
from bot.store.base import VectorStore


def collection_name(generation: str) -> str:
    return f"ki-{generation}"


def units_collection_name(generation: str) -> str:
    return f"ki-{generation}-units"


def _unknown(kind: str) -> ValueError:
    return ValueError(f"unknown vector store {kind!r}: one of {', '.join(STORES)}")


def open_store(
    settings: Settings, generation: str, units: bool = False, create: bool = False
) -> VectorStore:
    """The chunk (or, with `units`, the answer-unit) store of a generation. Without `create`
    a missing store raises `StoreError`."""
    name = units_collection_name(generation) if units else collection_name(generation)
    if settings.store == "chroma":
        from bot.store.chroma import open_chroma

        return open_chroma(settings, generation, name, create)
    if settings.store == "memory":
        from bot.store.memory import open_memory

        return open_memory(settings, name, create)
    raise _unknown(settings.store)


def drop_generation(settings: Settings, generation: str) -> None:
    """Delete what of a generation's stores lives outside its folder (a Chroma server's
    collections, memory); the caller removes the folder."""
    names = (collection_name(generation), units_collection_name(generation))
    if settings.store == "chroma":
        from bot.store.chroma import drop_generation as drop_chroma

        drop_chroma(settings, generation, names)
    elif settings.store == "memory":
        from bot.store.memory import drop_generation as drop_memory

        drop_memory(settings, names)
    else:
        raise _unknown(settings.store)
