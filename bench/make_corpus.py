"""A larger corpus from the sample one: N varied copies of every Markdown document.

    .venv/bin/python bench/make_corpus.py 10 /tmp/corpus-10x

Copies get their own file names, a town name and numbers changed, so chunks are not
identical (identical chunks would flatter both retrievers). PDF/DOCX/HTML are copied once.
"""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
TOWNS = [
    "Siegburg",
    "Troisdorf",
    "Hennef",
    "Lohmar",
    "Meckenheim",
    "Rheinbach",
    "Bornheim",
    "Niederkassel",
    "Königswinter",
    "Sankt Augustin",
    "Much",
    "Eitorf",
    "Windeck",
]


def _retitle(head: str, i: int) -> str:
    """Number the copy's title inside valid YAML (titles may be quoted)."""
    meta = yaml.safe_load(head.removeprefix("---\n"))
    meta["title"] = f"({i}) {meta['title']}"
    return "---\n" + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False).rstrip("\n")


def make_corpus(factor: int, target: Path, source: Path = ROOT / "corpus") -> int:
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    count = 0
    for path in sorted(source.iterdir()):
        if path.suffix != ".md":
            shutil.copy(path, target / path.name)
            count += 1
            continue
        text = path.read_text(encoding="utf-8")
        for i in range(factor):
            if i == 0:
                variant = text
                name = path.name
            else:
                town = TOWNS[i % len(TOWNS)]
                head, sep, body = text.partition("\n---\n")  # keep front matter dates valid
                body = body.replace("Siegburg", town).replace("Rhein-Sieg-Kreis", f"Kreis {i}")
                body = re.sub(r"\b(\d{2,3})\b", lambda m, i=i: str(int(m.group(1)) + i), body)
                variant = _retitle(head, i) + sep + body
                name = f"{path.stem}-{i:03d}.md"
            (target / name).write_text(variant, encoding="utf-8")
            count += 1
    return count


if __name__ == "__main__":
    print(make_corpus(int(sys.argv[1]), Path(sys.argv[2])), "files")
