"""Versions and what users get: the lock file (mod times, released versions), the guards
on identity, releases and schemas, `diff`, and the share kit with its checks and
screenshots.

May import package/ and everything below it; used by the stages and the pipeline.
"""
