-- One call per parsed page: records the page in the visited index, and says which of its
-- links' hosts are excluded and which of its links are not yet seen (read-only: the commit
-- that queues them marks them, atomically with the queueing).
-- KEYS: dupefilter, excluded, visited
-- ARGV: mode, width, url, visited record ('' = none), nnames, names..., items x [width]
-- Returns: {nnames excluded flags..., per item 1 when not seen}
local mode, width = ARGV[1], tonumber(ARGV[2])
if ARGV[4] ~= '' then redis.call('HSET', KEYS[3], ARGV[3], ARGV[4]) end
local nnames = tonumber(ARGV[5])
local out = {}
if nnames > 0 then
  local flags = redis.call('SMISMEMBER', KEYS[2], unpack(ARGV, 6, 5 + nnames))
  for i = 1, nnames do out[i] = flags[i] end
end
local items, n = {}, 0
for base = 6 + nnames, #ARGV, width do
  n = n + 1
  items[n] = {unpack(ARGV, base, base + width - 1)}
end
local fresh = mark_seen(mode, KEYS[1], items, true)
for i = 1, n do out[nnames + i] = fresh[i] and 1 or 0 end
return out
