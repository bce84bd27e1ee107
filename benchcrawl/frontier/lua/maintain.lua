-- A worker's periodic call: heartbeat, renew its leases, reclaim expired ones (anyone's),
-- and read the cluster's state for the idle decision.
-- KEYS: queue, data, leases, owners, workers
-- ARGV: worker, lease_ms, worker_ttl_ms, reclaim_limit, ids held by this worker...
-- Returns: {{lost ids}, reclaimed, queued, leased}
local now = now_ms()
local worker = ARGV[1]
redis.call('ZADD', KEYS[5], now, worker)
redis.call('ZREMRANGEBYSCORE', KEYS[5], '-inf', now - tonumber(ARGV[3]))

local lost, renew, nlost, nrenew = {}, {}, 0, 0
local deadline = now + tonumber(ARGV[2])
for i = 5, #ARGV do
  local id = ARGV[i]
  if redis.call('HGET', KEYS[4], id) == worker then
    renew[nrenew + 1] = deadline; renew[nrenew + 2] = id; nrenew = nrenew + 2
  else
    nlost = nlost + 1; lost[nlost] = id
  end
end
if nrenew > 0 then call_many('ZADD', KEYS[3], renew, nrenew, 2) end

local expired = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now, 'LIMIT', 0, tonumber(ARGV[4]))
for _, id in ipairs(expired) do
  redis.call('ZREM', KEYS[3], id)
  redis.call('HDEL', KEYS[4], id)
end
local reclaimed = requeue(KEYS[1], KEYS[2], expired)
return {lost, reclaimed, redis.call('ZCARD', KEYS[1]), redis.call('ZCARD', KEYS[3])}
