-- Moves up to n entries of a scrapy-redis spider's start key (its redis_key) into the queue,
-- atomically: an entry leaves the key only by entering the queue, as a start entry (id
-- 's' .. 15 hex digits; data {"start": entry, "priority": priority}) that a worker leases
-- and expands into requests. Order as scrapy-redis reads: a list from its head, a sorted
-- set highest score first, a set at random.
-- KEYS: start key, queue, data, seq
-- ARGV: kind ('list'|'set'|'zset'), n, priority
-- Returns: {moved, entries left in the start key}, or {-1, type} when the key holds another
--          type than kind
local kind, n, priority = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local held = redis.call('TYPE', KEYS[1])['ok']
if held == 'none' then return {0, 0} end
if held ~= kind then return {-1, held} end
local entries, count
if kind == 'list' then
  entries = redis.call('LRANGE', KEYS[1], 0, n - 1)
  redis.call('LTRIM', KEYS[1], #entries, -1)
elseif kind == 'zset' then
  entries = redis.call('ZREVRANGE', KEYS[1], 0, n - 1)
  redis.call('ZREMRANGEBYRANK', KEYS[1], -#entries, -1)
else
  entries = redis.call('SPOP', KEYS[1], n)
end
local moved = #entries
if moved > 0 then
  local last = redis.call('INCRBY', KEYS[4], moved)
  local zargs, hargs = {}, {}
  for i = 1, moved do
    local id = string.format('s%015x', last - moved + i)
    zargs[2 * i - 1] = -priority; zargs[2 * i] = id
    hargs[2 * i - 1] = id; hargs[2 * i] = cjson.encode({start = entries[i], priority = priority})
  end
  call_many('HSET', KEYS[3], hargs, 2 * moved, 2)
  call_many('ZADD', KEYS[2], zargs, 2 * moved, 2)
end
if kind == 'list' then count = redis.call('LLEN', KEYS[1])
elseif kind == 'zset' then count = redis.call('ZCARD', KEYS[1])
else count = redis.call('SCARD', KEYS[1]) end
return {moved, count}
