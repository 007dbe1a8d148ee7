"""GitHub (and Gitea) Actions workflow commands: ::error file=…,line=…::message."""

from __future__ import annotations


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(kind: str, message: str, *, file: str | None = None, line: int | None = None,
               column: int | None = None, title: str | None = None) -> str:
    """One workflow command line; ``kind`` is error, warning or notice."""
    props = []
    if file:
        props.append(f"file={_escape_property(file)}")
    if line:
        props.append(f"line={line}")
    if column:
        props.append(f"col={column}")
    if title:
        props.append(f"title={_escape_property(title)}")
    head = f"::{kind} " + ",".join(props) if props else f"::{kind}"
    return f"{head}::{_escape_data(message)}"
