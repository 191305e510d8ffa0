"""The newcomer's default: SQLite, tasks in-process, mail on the console."""

from .base import *  # noqa: F403

DEBUG = env.bool("DEBUG", default=True)  # noqa: F405
LOAD_DEMO = env.bool("LOAD_DEMO", default=True)  # noqa: F405
