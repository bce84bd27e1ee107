-- Moves failed requests back to the queue (all of them when no id is given).
-- KEYS: failed, data, queue
-- ARGV: ids...
-- Returns: how many went back
local ids = ARGV
if #ids == 0 then ids = redis.call('HKEYS', KEYS[1]) end
local back = {}
for _, id in ipairs(ids) do
  if redis.call('HDEL', KEYS[1], id) == 1 then back[#back + 1] = id end
end
return requeue(KEYS[3], KEYS[2], back)
