"""LangChain agent middleware.

Needs the `langchain` package; nothing is imported here so this folder stays importable without it.
"""
