-- maintain.lua for the polite queue: heartbeat, renew this worker's leases, put expired
-- leases back in their domain queues, read queued and leased counts.
-- KEYS: ready, data, leases, owners, workers, queued
-- ARGV: worker, lease_ms, worker_ttl_ms, reclaim_limit, queue prefix, ids held...
-- Returns: {{lost ids}, reclaimed, queued, leased}
local now = now_ms()
local worker, prefix = ARGV[1], ARGV[5]
redis.call('ZADD', KEYS[5], now, worker)
redis.call('ZREMRANGEBYSCORE', KEYS[5], '-inf', now - tonumber(ARGV[3]))

local lost, renew, nlost, nrenew = {}, {}, 0, 0
local deadline = now + tonumber(ARGV[2])
for i = 6, #ARGV do
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
local reclaimed = requeue_polite(KEYS[1], KEYS[2], KEYS[6], prefix, expired)
local queued = tonumber(redis.call('GET', KEYS[6]) or '0')
return {lost, reclaimed, queued, redis.call('ZCARD', KEYS[3])}
