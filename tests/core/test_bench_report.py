"""make bench's table marks a Rounds run during which gunicorn restarted a worker, so a
slow row is read for what it is, and says when Rounds rendered every page afresh."""

from bench.run import RENDER_EACH_TIME, RESTARTING, Stack, markdown
from blog import create_app


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


def test_render_each_time_runs_rounds_with_no_stored_pages_and_no_front_door(tmp_path, monkeypatch):
    stack = Stack.__new__(Stack)  # its settings only: no site built, no server started
    stack.folder, stack.ports, stack.settings = tmp_path, {"rounds": 8123}, RENDER_EACH_TIME
    environment = stack.environment()
    assert environment["BLOG_SITE_URL"] == "http://127.0.0.1:8123"
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    config = create_app({"TESTING": True}).config
    assert config["STORED_PAGES"] is False and config["FRONT_DOOR_BYTES"] == 0


def test_a_table_of_pages_rendered_each_time_says_so():
    table = markdown({**results(restarts=0), "rounds_settings": RENDER_EACH_TIME})
    assert "Rounds rendered every page for each request (`--render-each-time`:" in table
    assert "`BLOG_STORED_PAGES=false`" in table and "`BLOG_FRONT_DOOR_BYTES=0`" in table
    assert "the micro-cache columns are still nginx's cache" in table
    assert "rendered every page" not in markdown(results(restarts=0))
