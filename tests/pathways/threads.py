"""Run work in parallel threads, each with its own database connection (PostgreSQL concurrency tests)."""

import threading

from django.db import connection


def in_threads(work, count: int, *, timeout: float = 60) -> list:
    """Run work(index, barrier) in `count` threads that share a barrier; return, per thread, its result
    or the exception it raised (the test asserts on it)."""
    results: list = [None] * count
    barrier = threading.Barrier(count)

    def run(index):
        try:
            results[index] = work(index, barrier)
        except Exception as error:  # noqa: BLE001 - reported to the test, which asserts on it
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return results
