"""Layers read as one store: stale records never come back, served ones always do."""

from __future__ import annotations

import numpy as np
import pytest

from bot.store.layered import Layer, LayeredStore, unit_chunk
from bot.store.memory import MemoryStore


def unit(*values: float) -> list[float]:
    vector = np.zeros(4, dtype=np.float32)
    vector[: len(values)] = values
    return list(vector / np.linalg.norm(vector))


def store(name: str, records: dict[str, list[float]]) -> MemoryStore:
    out = MemoryStore(name)
    ids = list(records)
    out.add(ids, [records[i] for i in ids], [f"text {i}" for i in ids], [{"n": i} for i in ids])
    return out


@pytest.fixture
def layered() -> LayeredStore:
    # base: a, b, c, d, e; c and d were replaced (c by the delta's c2) or removed (d)
    base = store(
        "base",
        {
            "a": unit(1, 0.1),
            "b": unit(1, 0.3),
            "c": unit(1, 0.0),
            "d": unit(1, 0.01),
            "e": unit(0, 1),
        },
    )
    delta = store("delta", {"c2": unit(1, 0.2), "f": unit(0, 0, 1)})
    return LayeredStore([Layer(base, {"a", "b", "e"}, stale=2), Layer(delta, {"c2", "f"}, stale=0)])


def test_query_skips_stale_records_even_when_they_are_nearest(layered: LayeredStore) -> None:
    got = layered.query(unit(1, 0), 3)
    assert [m.id for m in got] == ["a", "c2", "b"], "c and d are nearer but stale"
    assert got[0].text == "text a" and got[0].similarity > got[1].similarity


def test_second_query_when_stale_records_crowd_out_the_served_ones() -> None:
    stale = {f"old{i}": unit(1, i / 1000) for i in range(10)}
    base = store("base", {**stale, "kept": unit(0, 1)})
    layered = LayeredStore([Layer(base, {"kept"}, stale=10)])
    asked: list[int] = []
    query = base.query

    def counting(vector: object, k: int, *args: object, **kwargs: object) -> object:
        asked.append(k)
        return query(vector, k, *args, **kwargs)  # type: ignore[arg-type]

    base.query = counting  # type: ignore[method-assign]
    assert [m.id for m in layered.query(unit(1, 0), 1)] == ["kept"]
    assert asked == [2, 11], "k plus a margin first, then k plus every stale record"


def test_vectors_get_and_records_serve_only_served_ids(layered: LayeredStore) -> None:
    assert set(layered.vectors(["a", "c", "c2", "x"])) == {"a", "c2"}
    assert {r.id for r in layered.get(ids=["a", "d", "f"])} == {"a", "f"}
    assert {r.id for r in layered.get(where={"n": ["c", "c2", "e"]})} == {"c2", "e"}
    assert sorted(r.id for r in layered.records()) == ["a", "b", "c2", "e", "f"]
    assert layered.count() == 5


def test_units_are_served_by_their_chunk() -> None:
    units = store("units", {"a:0": unit(1), "a:1": unit(1, 1), "c:0": unit(1, 0.5)})
    layered = LayeredStore([Layer(units, {"a"}, stale=1)], key=unit_chunk)
    assert sorted(r.id for r in layered.get(where={"n": ["a:0", "a:1", "c:0"]})) == ["a:0", "a:1"]
    assert [m.id for m in layered.query(unit(1, 0.5), 1)] == ["a:1"]


def test_layers_cannot_be_written_or_dropped(layered: LayeredStore) -> None:
    with pytest.raises(TypeError):
        layered.add(["z"], [unit(1)], ["z"], [{}])
    with pytest.raises(TypeError):
        layered.drop()


def test_a_layer_of_unknown_stale_count_is_counted_when_first_queried() -> None:
    stale = {f"old{i}": unit(1, i / 1000) for i in range(10)}
    base = store("base", {**stale, "kept": unit(0, 1)})
    counted: list[int] = []
    count = base.count
    base.count = lambda: counted.append(1) or count()  # type: ignore[method-assign]
    layered = LayeredStore([Layer(base, {"kept"}, stale=None)])
    assert [r.id for r in layered.get(ids=["kept", "old1"])] == ["kept"]
    assert counted == [], "reading by id needs no count"
    assert [m.id for m in layered.query(unit(1, 0), 1)] == ["kept"], "found behind 10 stale"
    assert counted == [1]
