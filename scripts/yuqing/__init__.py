"""yuqing: a git-based register of public-opinion incidents (舆情台账)."""

__version__ = "0.1.0"
