-- Join the open sweep, or start a new one when there is none (or it was abandoned).
-- KEYS[1] = prefix:current
-- ARGV[1] = prefix, ARGV[2] = candidate new id, ARGV[3] = now, ARGV[4] = timeout (s),
-- ARGV[5] = ttl (s) of a sweep's keys
local cur = redis.call('GET', KEYS[1])
if cur then
  local meta = ARGV[1] .. ':' .. cur .. ':meta'
  local status = redis.call('HGET', meta, 'status')
  local created = tonumber(redis.call('HGET', meta, 'created') or '0')
  if status == 'open' then
    if tonumber(ARGV[3]) - created < tonumber(ARGV[4]) then
      return {cur, 0}
    end
    redis.call('HSET', meta, 'status', 'failed',
               'detail', 'abandoned: not finished within the sweep timeout')
  end
end
local id = ARGV[2]
local meta = ARGV[1] .. ':' .. id .. ':meta'
redis.call('SET', KEYS[1], id)
redis.call('HSET', meta, 'status', 'open', 'detail', '', 'created', ARGV[3], 'planned', -1)
redis.call('EXPIRE', meta, ARGV[5])
return {id, 1}
