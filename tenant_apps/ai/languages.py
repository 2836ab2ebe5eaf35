"""Which language a question is written in, so that it is answered in it."""

import re

KYRGYZ_LETTERS = re.compile("[ңөүҢӨҮ]")
CYRILLIC = re.compile("[а-яёА-ЯЁ]")
# Words of letters alone: a plate (01KG123ABC) or a unit says nothing of the language.
LATIN_WORD = re.compile(r"(?<![\w])[A-Za-z]{2,}(?![\w])")


def question_language(text: str) -> str | None:
    """`ky` when the text has letters only Kyrgyz has, `ru` when it is Cyrillic, `en` when it
    has Latin words; None when it tells nothing (digits, a plate, an emoji)."""
    if KYRGYZ_LETTERS.search(text):
        return "ky"
    if CYRILLIC.search(text):
        return "ru"
    if LATIN_WORD.search(text):
        return "en"
    return None
