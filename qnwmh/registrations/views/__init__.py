"""Pages of 网络报备: collective.py for the collective's own pages (我的申请, the form), review.py
for the admins' (queue, detail actions, bulk pre-approval, 进度查询, export)."""
