-- Record one captured file or one failure, and tell whether this call finishes the sweep.
-- KEYS: meta, results, bodies, failures, done, workers
-- ARGV[1] = combination index, ARGV[2] = "result" | "failure", ARGV[3] = field,
-- ARGV[4] = JSON, ARGV[5] = body (results only), ARGV[6] = worker id, ARGV[7] = ttl (s),
-- ARGV[8..] = the kinds a combination needs
local idx = ARGV[1]
local newly = 0
if redis.call('SISMEMBER', KEYS[5], idx) == 0 and redis.call('HGET', KEYS[1], 'status') == 'open' then
  if ARGV[2] == 'failure' then
    redis.call('HSET', KEYS[4], idx, ARGV[4])
    redis.call('SADD', KEYS[5], idx)
    newly = 1
  else
    redis.call('HSET', KEYS[2], ARGV[3], ARGV[4])
    redis.call('HSET', KEYS[3], ARGV[3], ARGV[5])
    local complete = 1
    for i = 8, #ARGV do
      if redis.call('HEXISTS', KEYS[2], idx .. ':' .. ARGV[i]) == 0 then complete = 0 end
    end
    if complete == 1 then
      redis.call('SADD', KEYS[5], idx)
      newly = 1
    end
  end
  if newly == 1 then redis.call('HINCRBY', KEYS[6], ARGV[6], 1) end
  for i = 2, 6 do redis.call('EXPIRE', KEYS[i], ARGV[7]) end
end
local accounted = redis.call('SCARD', KEYS[5])
local planned = tonumber(redis.call('HGET', KEYS[1], 'planned') or '-1')
local finalize = 0
if planned >= 0 and accounted >= planned then
  finalize = redis.call('HSETNX', KEYS[1], 'finalizer', ARGV[6])
end
return {accounted, planned, newly, finalize}
