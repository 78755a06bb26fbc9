"""Optional generation through any OpenAI-compatible server, via a LangChain chain.

Grounding: the prompt (package data in `bot/answering/prompts/`) gives the model only the
retrieved passages, fenced as data, and asks for `[n]` citations. The output is checked
afterwards: citation numbers that point to no retrieved passage are removed, and the
model's NO_ANSWER becomes the normal refusal. Failures never keep a citizen waiting:
no retries, a short first-token timeout and a total time budget; the caller then falls
back to the extractive answer.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from functools import lru_cache
from importlib import resources
from typing import Any

from bot.answering.retrieval import Hit
from bot.config import Settings
from bot.i18n import DEFAULT_LANGUAGE, language_name, message

NO_ANSWER = "NO_ANSWER"
_CITATION = re.compile(r"\[(\d{1,2})\]")


class LLMError(RuntimeError):
    """The LLM server failed, timed out or answered nonsense."""


@lru_cache(maxsize=4)
def load_prompt(name: str) -> str:
    return resources.files("bot.answering.prompts").joinpath(name).read_text(encoding="utf-8")


def format_passages(passages: list[Hit]) -> str:
    blocks = []
    for number, hit in enumerate(passages, start=1):
        meta = hit.metadata
        heading = meta.get("title", "") + (f" › {meta['section']}" if meta.get("section") else "")
        text = hit.text.replace("</passage>", "</ passage>")
        blocks.append(f'<passage number="{number}" title="{heading}">\n{text}\n</passage>')
    return "\n\n".join(blocks)


def has_citation(text: str) -> bool:
    return bool(_CITATION.search(text))


def clean_citations(text: str, count: int) -> str:
    """Drop citation markers that point to no retrieved passage."""
    return _CITATION.sub(lambda m: m.group(0) if 1 <= int(m.group(1)) <= count else "", text)


def machine_written_note(language: str, passages: list[Hit]) -> str:
    """The line above an LLM answer written in another language than its sources ("Maschinell
    erstellt und übersetzt – bitte prüfen"), in the asker's language; "" when the sources are
    in the asker's language (a passage without `lang` is German)."""
    sources = {str(h.metadata.get("lang") or DEFAULT_LANGUAGE).split("-")[0] for h in passages}
    return "" if sources == {language} else message("machine_written", language)


class LLMAnswerer:
    """Streams a grounded answer from the configured server."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._chain: Any = None

    def _build_chain(self) -> Any:
        try:
            from langchain_core.output_parsers import StrOutputParser
            from langchain_core.prompts import ChatPromptTemplate
            from langchain_openai import ChatOpenAI
        except ImportError as exc:  # pragma: no cover - installed with the package
            raise LLMError("langchain-openai is not installed") from exc
        model = ChatOpenAI(
            base_url=self.settings.llm_base_url,
            api_key=self.settings.llm_api_key,
            model=self.settings.llm_model,
            temperature=0.1,
            max_retries=0,
            timeout=self.settings.llm_first_token_timeout_seconds,
            streaming=True,
            max_completion_tokens=600,  # the field max_tokens, by its typed name
        )
        prompt = ChatPromptTemplate.from_messages(
            [("system", load_prompt("system.md")), ("human", load_prompt("user.md"))]
        )
        return prompt | model | StrOutputParser()

    def stream(self, question: str, language: str, passages: list[Hit]) -> Iterator[str]:
        """Yield text pieces; raise LLMError on any failure or when time runs out."""
        if self._chain is None:
            self._chain = self._build_chain()
        inputs = {
            "language_name": language_name(language),
            "passages": format_passages(passages),
            "question": question.replace("</question>", ""),
        }
        deadline = time.monotonic() + self.settings.llm_timeout_seconds
        try:
            for piece in self._chain.stream(inputs):
                if time.monotonic() > deadline:
                    raise LLMError("LLM answer took too long")
                if piece:
                    yield piece
        except LLMError:
            raise
        except Exception as exc:  # network errors, HTTP 4xx/5xx, malformed streams
            raise LLMError(f"{type(exc).__name__}: {str(exc)[:200]}") from exc
