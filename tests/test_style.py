"""The style sheet that words Streamlit's uploader in the reader's language and lays tables out for a phone."""

import re
from pathlib import Path

import streamlit

from ui.style import PHONE_MAX_PX, style_sheet


def uploader_bundle() -> str:
    scripts = Path(streamlit.__file__).parent / "static" / "static" / "js"
    return "".join(path.read_text(encoding="utf-8") for path in scripts.glob("FileUploader*.js"))


def test_the_uploader_texts_are_ours_in_each_language():
    spanish, english = style_sheet("es", 20), style_sheet("en", 20)
    assert 'content: "Elegir archivo"' in spanish and 'content: "Hasta 20 MB por archivo"' in spanish
    assert 'content: "Choose file"' in english and 'content: "Up to 20 MB per file"' in english


def test_the_style_sheet_names_what_the_installed_streamlit_draws():
    bundle = uploader_bundle()
    assert "per file" in bundle and "`Upload`" in bundle  # the English we cover is still there
    for test_id in set(re.findall(r'data-testid="(stFileUploader\w+)"', style_sheet("es", 20))):
        assert f"`{test_id}`" in bundle, test_id


def test_wide_and_phone_containers_switch_at_one_width():
    sheet = style_sheet("es", 20)
    assert (
        f'@media (max-width: {PHONE_MAX_PX}px) {{ div[class*="st-key-wide-"] {{ display: none; }} }}' in sheet
    )
    assert f'(min-width: {PHONE_MAX_PX + 1}px) {{ div[class*="st-key-phone-"]' in sheet
