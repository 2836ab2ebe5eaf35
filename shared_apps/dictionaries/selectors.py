"""Dictionaries for the API, cached per process: they change rarely (in the platform admin),
and every form of the frontend reads them. The admin clears this process's copy on save;
other processes refresh within CACHE_SECONDS."""

import threading
import time

from django.utils import translation

from .models import DictionaryEntry, DictionaryKind

CACHE_SECONDS = 300

_lock = threading.Lock()
_cache: dict[str, object] = {"loaded_at": None, "entries": {}}


def dictionaries_cache_clear() -> None:
    with _lock:
        _cache["loaded_at"] = None


def _entries_by_kind() -> dict[str, list[DictionaryEntry]]:
    with _lock:
        loaded_at = _cache["loaded_at"]
        if loaded_at is None or time.monotonic() - loaded_at > CACHE_SECONDS:
            grouped: dict[str, list[DictionaryEntry]] = {kind: [] for kind in DictionaryKind}
            for entry in DictionaryEntry.objects.filter(is_active=True):
                grouped[entry.kind].append(entry)
            _cache["entries"] = grouped
            _cache["loaded_at"] = time.monotonic()
        return _cache["entries"]


def dictionary_list(*, kind: str, language: str | None = None) -> list[dict[str, str]]:
    """`[{code, name}]` of one dictionary, named in `language` (default: the active one)."""
    language = (language or translation.get_language() or "ru")[:2]
    return [
        {"code": entry.code, "name": entry.name_in(language)} for entry in _entries_by_kind()[kind]
    ]


def dictionaries_all(*, language: str | None = None) -> dict[str, list[dict[str, str]]]:
    return {kind: dictionary_list(kind=kind, language=language) for kind in DictionaryKind}


def dictionary_has_code(*, kind: str, code: str) -> bool:
    return any(entry.code == code for entry in _entries_by_kind()[kind])


def dictionary_code_for(*, kind: str, text: str) -> str:
    """The code `text` is, or names in any language (case ignored); else `text` itself, for
    the caller's validation to refuse. Imports take the names an export writes."""
    wanted = text.strip().casefold()
    for entry in _entries_by_kind()[kind]:
        names = (entry.code, entry.name_ru, entry.name_en, entry.name_ky)
        if wanted in (name.casefold() for name in names):
            return entry.code
    return text
