-- maintain.lua for the polite queue: heartbeat, renew this worker's leases, put expired
-- leases back in their domain queues, read queued and leased counts.
-- KEYS: ready, data, leases, owners, workers, queued
-- ARGV: worker, lease_ms, worker_ttl_ms, reclaim_limit, queue prefix, ids held...
-- Returns: {{lost ids}, reclaimed, queued, leased}
local lost, expired = maintain_leases(KEYS[5], KEYS[3], KEYS[4], ARGV[1], ARGV[2], ARGV[3], ARGV[4], 6)
local reclaimed = requeue_polite(KEYS[1], KEYS[2], KEYS[6], ARGV[5], expired)
local queued = tonumber(redis.call('GET', KEYS[6]) or '0')
return {lost, reclaimed, queued, redis.call('ZCARD', KEYS[3])}
