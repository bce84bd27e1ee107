-- A worker's periodic call: heartbeat, renew its leases, reclaim expired ones (anyone's),
-- and read the cluster's state for the idle decision.
-- KEYS: queue, data, leases, owners, workers
-- ARGV: worker, lease_ms, worker_ttl_ms, reclaim_limit, ids held by this worker...
-- Returns: {{lost ids}, reclaimed, queued, leased}
local lost, expired = maintain_leases(KEYS[5], KEYS[3], KEYS[4], ARGV[1], ARGV[2], ARGV[3], ARGV[4], 5)
local reclaimed = requeue(KEYS[1], KEYS[2], expired)
local queued = redis.call('ZCARD', KEYS[1]) + fresh_count(KEYS[1])
return {lost, reclaimed, queued, redis.call('ZCARD', KEYS[3])}
