"""Process exit codes, shared by every command (the CI contract)."""

from enum import IntEnum


class ExitStatus(IntEnum):
    """What a journeymap process tells its caller.

    OK: nothing at or above the fail threshold.
    FINDINGS: findings at or above ``--fail-on`` (used by ``check`` and ``analyze``).
    INPUT_ERROR: a spec, policy, option or output path could not be used (also: an
    output could not be written, a diagram could not be drawn).
    INTERNAL_ERROR: a bug in journeymap (an unexpected exception); never "findings".
    """

    OK = 0
    FINDINGS = 1
    INPUT_ERROR = 2
    INTERNAL_ERROR = 3
