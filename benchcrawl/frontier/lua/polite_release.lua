-- release.lua for the polite queue: a worker's leases back to their domain queues at once.
-- KEYS: ready, data, leases, owners, queued
-- ARGV: worker, queue prefix, ids...
-- Returns: how many went back
local mine = {}
for i = 3, #ARGV do
  local id = ARGV[i]
  if redis.call('HGET', KEYS[4], id) == ARGV[1] then
    redis.call('ZREM', KEYS[3], id)
    redis.call('HDEL', KEYS[4], id)
    mine[#mine + 1] = id
  end
end
return requeue_polite(KEYS[1], KEYS[2], KEYS[5], ARGV[2], mine)
