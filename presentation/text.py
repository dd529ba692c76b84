"""User text (sale ids, buyers, cooperative and user names, e-mails) shown as text, never as markup.

One helper per place text goes out: `plain_markdown` for anything Streamlit renders as Markdown
(st.markdown, st.write, st.warning/info/error, st.caption, st.toast, button and widget labels), and
`chart_text` for plotly titles, hovers, legends and category labels (which accept HTML-like tags).
Pure: no streamlit import.
"""

from __future__ import annotations

import re

# Every ASCII punctuation character CommonMark lets a backslash escape, less none: links, images,
# emphasis, code, headings, lists, tables, HTML tags and entities, math ($), and Streamlit's
# :material/icon: and :red[...] directives all need one of them.
_MARKDOWN_SPECIAL = re.compile(r"""([\\`*_{}\[\]()#+\-.!|<>~$:&"'=^%@/?;,])""")
_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029\x0b\x0c]+")


def plain_markdown(text: object) -> str:
    """`text` escaped so Markdown and HTML show literally: `![px](http://x/p.png)` stays those characters,
    `<a href=...>` is not a link, and a line break cannot start a heading or a list."""
    flat = _LINE_BREAKS.sub(" ", str(text))
    return _MARKDOWN_SPECIAL.sub(r"\\\1", flat)


def chart_text(text: object) -> str:
    """`text` for a plotly title, hover, legend or axis label: `<`, `>` and `&` as entities, which plotly
    draws as the characters instead of reading `<a href>`, `<b>` or `<br>` as markup."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
