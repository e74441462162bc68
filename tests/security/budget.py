"""Example budgets of the adversarial suite: small and fixed in `make test`, large in
`make fuzz` (FUZZ_EXAMPLES, 500 unless set)."""

import os

FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "0") or 0)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE") or ("fuzz" if FUZZ_EXAMPLES else "ci")
FUZZING = PROFILE == "fuzz"


def examples(ci: int) -> int:
    """How many examples one test runs: `ci` by default, the fuzz budget under `make fuzz`."""
    return (FUZZ_EXAMPLES or 500) if FUZZING else ci
