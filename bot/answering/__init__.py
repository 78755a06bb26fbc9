"""Answering a question: retrieval, composing the answer from units, the optional LLM, eval."""
