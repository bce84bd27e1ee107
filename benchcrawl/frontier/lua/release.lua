-- Gives a worker's leases back to the queue at once (a clean close, unstarted requests).
-- KEYS: queue, data, leases, owners
-- ARGV: worker, ids...
-- Returns: how many went back
local mine = {}
for i = 2, #ARGV do
  local id = ARGV[i]
  if redis.call('HGET', KEYS[4], id) == ARGV[1] then
    redis.call('ZREM', KEYS[3], id)
    redis.call('HDEL', KEYS[4], id)
    mine[#mine + 1] = id
  end
end
return requeue(KEYS[1], KEYS[2], mine)
