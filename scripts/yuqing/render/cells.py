"""The one function every spreadsheet cell passes before it leaves yuqing (xlsx and CSV).

Excel, WPS and LibreOffice run a cell that starts with ``=``, ``+``, ``-`` or
``@`` as a formula (a tab or carriage return first is read the same way after
trimming), so a title copied from a web post, a platform name or a unit in
register.yml such as ``=HYPERLINK("http://x","y")`` could become a live link
or a command (OWASP "CSV injection"). ``inert`` puts an apostrophe in front of
such text, the neutralisation OWASP recommends, the same in every writer:
the apostrophe shows that the text was kept as written. Characters that XML
forbids (control characters) are dropped, so that no text can make a
workbook unwritable.

Numbers and dates are left alone: they are values we computed, never text.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Union, overload

FORMULA_START: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

Value = Union[str, int, float, datetime, None]


@overload
def inert(value: str) -> str: ...
@overload
def inert(value: Value) -> Value: ...


def inert(value: Value) -> Value:
    """``value`` safe for a spreadsheet cell: text that a spreadsheet would run gets a leading ``'``."""
    if not isinstance(value, str):
        return value
    text = _ILLEGAL.sub("", value)
    if text.startswith(FORMULA_START):
        return "'" + text
    return text
