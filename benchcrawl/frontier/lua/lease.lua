-- Takes up to n requests: out of the queue (see take in _lib.lua), into the leases with
-- this worker's deadline. A fresh request gets its id (16 hex of the sequence) and its JSON
-- goes to the data hash while it is leased.
-- KEYS: queue, data, leases, owners, seq
-- ARGV: worker, lease_ms, n
-- Returns: {id1, json1, id2, json2, ...}
local kinds, vals, k = take(KEYS[1], tonumber(ARGV[3]))
local deadline = now_ms() + tonumber(ARGV[2])
local nfresh = 0
for i = 1, k do
  if kinds[i] == 'l' then nfresh = nfresh + 1 end
end
local next_id = 0
if nfresh > 0 then next_id = redis.call('INCRBY', KEYS[5], nfresh) - nfresh end
local out, leases, owners, data, n, nd = {}, {}, {}, {}, 0, 0
for i = 1, k do
  local id, json = vals[i], nil
  if kinds[i] == 'z' then
    json = redis.call('HGET', KEYS[2], id)
  else
    next_id = next_id + 1
    id = string.format('%016x', next_id)
    json = vals[i]
    data[nd + 1] = id; data[nd + 2] = json; nd = nd + 2
  end
  if json then
    leases[n + 1] = deadline; leases[n + 2] = id
    owners[n + 1] = id; owners[n + 2] = ARGV[1]
    out[n + 1] = id; out[n + 2] = json
    n = n + 2
  end
end
if nd > 0 then redis.call('HSET', KEYS[2], unpack(data)) end
if n > 0 then
  redis.call('ZADD', KEYS[3], unpack(leases))
  redis.call('HSET', KEYS[4], unpack(owners))
end
return out
