"""One base error for the package; every message is a single line that names the problem."""


class AssistantError(Exception):
    """Base of every error the assistant reports to a user."""


class ConfigError(AssistantError):
    """devices.yaml is unreadable or invalid. `problems` holds one line per error."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(problems[0] if len(problems) == 1 else f"{len(problems)} errors:\n"
                         + "\n".join(problems))


class ModelError(AssistantError):
    """The ONNX model is missing, unreadable or does not match this runtime."""


class InputError(AssistantError):
    """A request cannot be served: unknown camera, unreadable image or audio."""
