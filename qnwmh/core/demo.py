"""What every area's demo module (`make run`) hands back: the logins to print."""

from dataclasses import dataclass

# A label shown instead of a password for accounts whose holder already set their own.
SET_BY_HOLDER = "（已由本人设置）"


@dataclass
class DemoLogin:
    role: str
    username: str
    password: str  # a fresh one-time password, or a note that the holder set their own
