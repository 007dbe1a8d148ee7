"""register.yml ``publish:`` settings of the home page: the idle list and the staleness warning."""

from __future__ import annotations

from yuqing.config import load_config


def test_idle_days_and_stale_hours_come_from_register_yml(register_dir) -> None:
    config, issues = load_config(register_dir.root)
    assert not issues and config is not None
    assert (config.publish.idle_days, config.publish.stale_hours) == (14, 26)  # the documented defaults
    register_dir.settings(publish={"idle_days": 3, "stale_hours": 2})
    config, issues = load_config(register_dir.root)
    assert not issues and config is not None
    assert (config.publish.idle_days, config.publish.stale_hours) == (3, 2)


def test_a_zero_or_text_interval_is_refused_with_where(register_dir) -> None:
    register_dir.settings(publish={"idle_days": 0, "stale_hours": "一天"})
    config, issues = load_config(register_dir.root)
    assert config is None
    assert sorted(i.path for i in issues) == ["publish.idle_days", "publish.stale_hours"]
