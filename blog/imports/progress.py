"""What an import reports as it goes (its own module: the Import page's progress needs it
without loading the importers)."""


class Progress:
    """What an import says while it runs. This one says nothing; the command line prints
    it, the Import page stores it for its progress bar."""

    def stage(self, name: str, total: int = 0) -> None:
        pass

    def step(self, label: str = "") -> None:
        pass

    def line(self, text: str) -> None:
        pass

    def warn(self, text: str) -> None:
        pass
