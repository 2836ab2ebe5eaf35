from collections import OrderedDict


class Recent(OrderedDict):
    """What a process keeps in memory for later requests, at most `limit` entries: the one
    stored longest ago goes first. Safe with threads without a lock: each step is one dict
    operation, and an entry another thread took out first is simply gone."""

    def __init__(self, limit: int):
        super().__init__()
        self.limit = limit

    def remember(self, key, value) -> None:
        self.pop(key, None)  # stored again: it is the newest
        self[key] = value
        while len(self) > self.limit:
            try:
                self.popitem(last=False)
            except KeyError:
                break
