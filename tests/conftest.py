"""Test-wide set-up: Qt runs offscreen, whoever starts pytest."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
