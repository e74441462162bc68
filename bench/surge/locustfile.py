"""The deadline surge (issue 5): collectives registering at the last moment while the admins
above them watch the review queue. Run by bench/surge/run.py (`make surge`); by hand:

    .venv/bin/locust -f bench/surge/locustfile.py --headless -H http://127.0.0.1:8100 \
        -u 200 -r 20 -t 600s

Environment: SURGE_PEOPLE (people.json from bench/surge/prepare.py), SURGE_RATE (submissions
per second to aim at, 50).

- CollectiveUser: each iteration is one collective at the deadline, through API v1 with its
  bearer token: PUT its draft (保存草稿), POST submit (提交 → 报备集体). A collective
  submits once, so every iteration takes the next prepared collective. The users together
  aim at SURGE_RATE iterations per second (constant throughput: a slow server lowers the rate
  achieved rather than piling up requests, which the report shows).
- AdminUser: one per prepared admin session (national, Hunan, 常德市, 武陵区), loading the review
  queue (what awaits them, and everything submitted in the cycle) and the collectives list
  every 1-3 s, as people watching the deadline do.
"""

import json
import os
import random
import time
from itertools import count
from pathlib import Path

from locust import FastHttpUser, between, constant_throughput, task

PEOPLE = json.loads(
    Path(os.environ.get("SURGE_PEOPLE", "var/cluster/surge/people.json")).read_text()
)
RATE = float(os.environ.get("SURGE_RATE", "50"))
CYCLE = PEOPLE["cycle"]
ADMINS = PEOPLE["admins"]
TOKENS = PEOPLE["tokens"]
_next_collective = count()

DRAFT = {
    "profile": {
        "member_count": 20,
        "youth_count": 12,
        "leader_name": "张青",
        "leader_birth_date": "1990-05-04",
        "ownership": "PUBLIC",
        "industry": "卫生健康",
        "phone": "0736-7654321",
        "prior_titles": [{"level": "PROVINCIAL", "year": 2023, "name": "湖南省青年文明号"}],
    },
    "plan": {
        "goals": "窗口候诊时间不超过 30 分钟，群众满意率 95% 以上。",
        "measures": "弹性排班，夜间门诊。",
        "commitment": "首问负责，限时办结。",
    },
}


def _describe(response) -> str:
    """What went wrong: the status and the start of the body, or the connection's error
    (status 0: a timeout or a refused connection)."""
    if response.status_code == 0:
        return f"no answer: {response.error!r}"
    return f"{response.status_code}: {(response.text or '')[:300]}"


def _collective_users(environment) -> int:
    users = environment.parsed_options.num_users if environment.parsed_options else 200
    return max(1, users - len(ADMINS))


class CollectiveUser(FastHttpUser):
    weight = 1

    def wait_time(self):
        return constant_throughput(RATE / _collective_users(self.environment))(self)

    def on_start(self):
        # Spread the users' first submissions over one interval, as arrivals are, instead of
        # all of them at the moment they start.
        time.sleep(random.uniform(0, _collective_users(self.environment) / RATE))

    @task
    def register_at_the_deadline(self):
        index = next(_next_collective)
        if index >= len(TOKENS):
            self.environment.runner.quit()  # every prepared collective has submitted
            return
        headers = {"Authorization": f"Bearer {TOKENS[index]}"}
        path = f"/api/v1/me/registrations/{CYCLE}"
        with self.client.put(
            path, json=DRAFT, headers=headers, name="collective: save draft", catch_response=True
        ) as saved:
            if saved.status_code != 200:
                saved.failure(_describe(saved))
                return
        with self.client.post(
            f"{path}/submit", headers=headers, name="collective: submit", catch_response=True
        ) as submitted:
            state = submitted.json().get("state") if submitted.status_code == 200 else None
            if state != "submitted":
                submitted.failure(f"{state}: {_describe(submitted)}")


class AdminUser(FastHttpUser):
    fixed_count = len(ADMINS)
    wait_time = between(1, 3)
    _admins = count()

    def on_start(self):
        self.admin = ADMINS[next(AdminUser._admins) % len(ADMINS)]
        self.headers = {"Cookie": self.admin["cookie"]}

    def _page(self, path: str, name: str) -> None:
        with self.client.get(
            path, headers=self.headers, name=name, allow_redirects=False, catch_response=True
        ) as page:
            # A redirect here would be the login page: the session ended.
            if page.status_code != 200:
                page.failure(f"{page.status_code} {page.headers.get('Location', '')}")

    @task(3)
    def review_queue(self):
        self._page("/registrations/queue/", "admin: review queue (awaiting me)")

    @task(2)
    def submitted_in_the_cycle(self):
        self._page(
            f"/registrations/queue/?state=submitted&cycle={CYCLE}",
            "admin: review queue (submitted, the cycle)",
        )

    @task(1)
    def collectives_list(self):
        self._page("/collectives/", "admin: collectives list")
