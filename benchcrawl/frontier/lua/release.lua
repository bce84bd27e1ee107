-- Gives a worker's leases back to the queue at once (a clean close, unstarted requests).
-- KEYS: queue, data, leases, owners
-- ARGV: worker, ids...
-- Returns: how many went back
local mine = take_own_leases(KEYS[3], KEYS[4], ARGV[1], 2)
return requeue(KEYS[1], KEYS[2], mine)
