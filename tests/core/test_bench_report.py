"""make bench's table marks a Rounds run during which gunicorn restarted a worker, so a
slow row is read for what it is."""

from bench.run import RESTARTING, markdown


def results(restarts: int) -> dict:
    runs = [
        {"site": "small", "page": "post", "concurrency": 16, "target": target, "rps": rps,
         "p50_ms": 4.0, "p99_ms": 9.0}
        for target, rps in (("static", 3300.0), ("minimal", 1800.0), ("rounds", 2000.0),
                            ("nginx", 1600.0), ("cached", 3300.0))
    ]  # fmt: skip
    runs[2]["worker_restarts"] = restarts
    build = {"posts": 20, "comments": 100, "seconds": 2.5, "cpu_seconds": 1.7}
    return {"runs": runs, "sites": {"small": {"build": build, "memory": {}}}}


def test_a_run_with_a_restart_is_marked_and_explained():
    table = markdown(results(restarts=1))
    assert "| 2,000† |" in table
    assert "† a worker began to restart during Rounds' run" in table


def test_a_run_without_one_is_not():
    table = markdown(results(restarts=0))
    assert "| 2,000 |" in table and "†" not in table


def test_the_restarting_workers_are_read_from_gunicorns_log_once_each():
    log = (
        "[2026-12-02 08:00:00 +0000] [4242] [INFO] Autorestarting worker after current request.\n"
        "[2026-12-02 08:00:00 +0000] [4242] [INFO] Autorestarting worker after current request.\n"
        "[2026-12-02 08:00:01 +0000] [4243] [INFO] Booting worker with pid: 4243\n"
        "[2026-12-02 08:00:07 +0000] [4250] [INFO] Autorestarting worker after current request.\n"
    )
    assert set(RESTARTING.findall(log)) == {"4242", "4250"}
