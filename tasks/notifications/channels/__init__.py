"""The channel adapters, by name (``tasks.models.Channel``)."""

from __future__ import annotations

from importlib import import_module

from .base import ChannelAdapter, ConfigurationError, Outcome, Result

ADAPTERS = {
    "email": "tasks.notifications.channels.email.EmailChannel",
    "dingtalk": "tasks.notifications.channels.dingtalk.DingTalkChannel",
    "zzd": "tasks.notifications.channels.zzd.ZzdChannel",
    "dingtalk_robot": "tasks.notifications.channels.robots.DingTalkRobotChannel",
    "wecom_robot": "tasks.notifications.channels.robots.WeComRobotChannel",
    "sms": "tasks.notifications.channels.sms.SmsChannel",
}


def adapter_for(channel: str) -> ChannelAdapter:
    module, _dot, cls = ADAPTERS[channel].rpartition(".")
    return getattr(import_module(module), cls)()


__all__ = ["ADAPTERS", "ChannelAdapter", "ConfigurationError", "Outcome", "Result", "adapter_for"]
