-- release.lua for the polite queue: a worker's leases back to their domain queues at once.
-- KEYS: ready, data, leases, owners, queued
-- ARGV: worker, queue prefix, ids...
-- Returns: how many went back
local mine = take_own_leases(KEYS[3], KEYS[4], ARGV[1], 3)
return requeue_polite(KEYS[1], KEYS[2], KEYS[5], ARGV[2], mine)
