"""The built-in assistant: no network, no model. `parsing` reads a question (in Russian, English
or Kyrgyz, as people type them) into what it asks: the intent, the car, the period, the figures;
`provider` answers it with the facade's numbers (the reports' own) or turns it into proposed
changes; `texts` holds its phrases in each language."""

from .provider import LocalProvider

__all__ = ["LocalProvider"]
