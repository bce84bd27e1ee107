-- requeue_failed.lua for the polite queue (all failed requests when no id is given).
-- KEYS: failed, data, ready, queued
-- ARGV: queue prefix, ids...
-- Returns: how many went back
local ids = {}
for i = 2, #ARGV do ids[#ids + 1] = ARGV[i] end
if #ids == 0 then ids = redis.call('HKEYS', KEYS[1]) end
local back = {}
for _, id in ipairs(ids) do
  if redis.call('HDEL', KEYS[1], id) == 1 then back[#back + 1] = id end
end
return requeue_polite(KEYS[3], KEYS[2], KEYS[4], ARGV[1], back)
