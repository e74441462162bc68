"""Hypothesis profiles of the adversarial suite (budget.py chooses one):

- `ci` (the default, what `make test` runs): a small budget, derandomized so that a run is
  repeatable and a red CI is not a coin toss; no example database left in the checkout.
- `fuzz` (`make fuzz`): FUZZ_EXAMPLES examples per property (500 unless set), random seeds, so
  each run explores new inputs.
"""

from hypothesis import HealthCheck, settings

from tests.security.budget import PROFILE, examples

_COMMON = {
    "deadline": None,
    "database": None,
    "print_blob": True,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
}
settings.register_profile("ci", max_examples=examples(40), derandomize=True, **_COMMON)
settings.register_profile("fuzz", max_examples=examples(40), **_COMMON)
settings.load_profile(PROFILE)
