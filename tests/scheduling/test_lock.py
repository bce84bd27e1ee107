"""The run lock: renewal timing (pure), the file lock, and the Redis lock's token rules."""

from __future__ import annotations

import time

import redis

from benchcrawl.scheduling.lock import FileLock, RedisLock, must_stop, renew_interval


def test_renewal_timing_leaves_two_tries_before_expiry():
    assert renew_interval(30) == 10
    assert not must_stop(100.0, 119.9, 30)
    assert must_stop(100.0, 120.0, 30)  # 2/3 of the ttl without a renewal: stop the run


def test_the_file_lock_is_exclusive_and_released(tmp_path):
    path = tmp_path / "data" / "schedule-x.lock"
    one, two = FileLock(path, 30), FileLock(path, 30)
    assert one.acquire() and one.renew()
    assert not two.acquire()
    one.release()
    assert not one.renew()
    assert two.acquire()
    two.release()


def test_the_redis_lock_expires_unless_renewed_and_never_frees_anothers(redis_url):
    client = redis.Redis.from_url(redis_url)
    try:
        one = RedisLock(client, "x:schedule:lock", 0.6)
        two = RedisLock(client, "x:schedule:lock", 0.6)
        assert one.acquire() and not two.acquire()
        for _ in range(4):  # renewed every ttl/3: held well past its ttl
            time.sleep(0.2)
            assert one.renew()
        assert not two.acquire()
        time.sleep(0.8)  # the holder stops renewing (as if kill -9): it expires
        assert two.acquire()
        assert not one.renew()  # the old holder learns it lost the lock
        one.release()  # and cannot free the new holder's
        assert client.get("x:schedule:lock") == two.holder.encode()
        two.release()
        assert client.get("x:schedule:lock") is None
    finally:
        client.close()
