"""Renderers: the same results as text, JSON, GitHub annotations, Markdown, files."""
