-- After a fetch that reached the wire later than its gate said go (the worker was held up
-- between the two): moves the domain's last fetch on to when the request really left, so
-- the next fetch of the domain, by any worker, keeps the whole delay from it.
-- KEYS: last_fetch
-- ARGV: domain, ms since the request left (by the worker's clock)
-- Returns: 1 when the last fetch moved on, 0 when a later fetch is recorded already
local at = now_ms() - tonumber(ARGV[2])
local last = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '-1')
if at <= last then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], at)
return 1
