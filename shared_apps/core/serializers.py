import keyword


class KeywordNamesMixin:
    """Lets a serializer have fields named like Python keywords (`from`): declare them with a
    trailing underscore (`from_`)."""

    def get_fields(self):
        return {
            name[:-1] if name.endswith("_") and keyword.iskeyword(name[:-1]) else name: field
            for name, field in super().get_fields().items()
        }
