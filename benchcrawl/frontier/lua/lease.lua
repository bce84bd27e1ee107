-- Takes up to n requests: out of the queue, into the leases with this worker's deadline.
-- KEYS: queue, data, leases, owners
-- ARGV: worker, lease_ms, n
-- Returns: {id1, json1, id2, json2, ...}
local popped = redis.call('ZPOPMIN', KEYS[1], ARGV[3])
local deadline = now_ms() + tonumber(ARGV[2])
local out, leases, owners = {}, {}, {}
for i = 1, #popped, 2 do
  local id = popped[i]
  local json = redis.call('HGET', KEYS[2], id)
  if json then
    leases[#leases + 1] = deadline; leases[#leases + 1] = id
    owners[#owners + 1] = id; owners[#owners + 1] = ARGV[1]
    out[#out + 1] = id; out[#out + 1] = json
  end
end
if #leases > 0 then
  redis.call('ZADD', KEYS[3], unpack(leases))
  redis.call('HSET', KEYS[4], unpack(owners))
end
return out
