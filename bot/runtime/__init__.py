"""The Telegram runtime, the only package that imports telegram: application wiring, the
turn frame, long polling, the one sender, rate limits, the scheduler."""
