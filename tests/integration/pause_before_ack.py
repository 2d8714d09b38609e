"""Imported by a test worker (``celery worker --include``): after a task has run, and before its
message is acknowledged (``acks_late``), wait, so the test can kill the worker in that window."""
import os
import time

from celery.signals import task_postrun


@task_postrun.connect
def pause_before_ack(**kwargs):
    seconds = float(os.environ.get("TEST_PAUSE_BEFORE_ACK", "0"))
    if seconds:
        time.sleep(seconds)
