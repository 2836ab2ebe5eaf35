"""Which language a question is written in, so that it is answered in it."""

import re

KYRGYZ_LETTERS = re.compile("[ңөүҢӨҮ]")
# Common Kyrgyz words written without those letters ("канча машина", "быйыл", "кайсы").
KYRGYZ_WORDS = re.compile(
    r"(?<!\w)(?:канча|кайсы|боюнча|быйыл|былтыр|жок|качан|берчи|кыскача|жалпы|маалымат|"
    r"машиналар\w*|машинасы\w*|чыгымдар\w*|наркы|ээлик|резервде|документтер\w*|акча|кетти|"
    r"бишкектеги|ошто|эң|ай(?:да|ы)|жылы|тизме\w*|кандай)(?!\w)",
    re.IGNORECASE,
)
CYRILLIC = re.compile("[а-яёА-ЯЁ]")
# Words of letters alone: a plate (01KG123ABC) or a unit says nothing of the language.
LATIN_WORD = re.compile(r"(?<![\w])[A-Za-z]{2,}(?![\w])")


def question_language(text: str) -> str | None:
    """`ky` when the text has letters or words only Kyrgyz has, `ru` when it is Cyrillic, `en`
    when it has Latin words; None when it tells nothing (digits, a plate, an emoji)."""
    if KYRGYZ_LETTERS.search(text) or KYRGYZ_WORDS.search(text):
        return "ky"
    if CYRILLIC.search(text):
        return "ru"
    if LATIN_WORD.search(text):
        return "en"
    return None
