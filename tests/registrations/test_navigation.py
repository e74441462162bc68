"""The menu: 我的申请 for collectives; 审核队列 and 进度查询 for admins."""

from qnwmh.web.navigation import items_for


def labels(user) -> list[str]:
    return [str(item["label"]) for item in items_for(user, "/")]


def test_collective_sees_my_applications(collective):
    shown = labels(collective.user)
    assert "我的申请" in shown
    assert "审核队列" not in shown and "进度查询" not in shown


def test_admin_sees_review_queue_and_progress(world):
    shown = labels(world.users["wuling"])
    assert "审核队列" in shown and "进度查询" in shown
    assert "我的申请" not in shown


def test_judge_sees_none_of_them(world):
    shown = labels(world.users["judge"])
    assert not {"我的申请", "审核队列", "进度查询"} & set(shown)
