-- Marks fingerprints as seen, or only looks (outside a commit: a lone dupefilter check,
-- the Bloom tests and benchmarks).
-- KEYS: dupefilter
-- ARGV: mode, readonly ('1'|'0'), width (args per item), items x [width args]
-- Returns: per item, 1 when it was new
local width = tonumber(ARGV[3])
local items, n = {}, 0
for base = 4, #ARGV, width do
  n = n + 1
  items[n] = {unpack(ARGV, base, base + width - 1)}
end
local fresh = mark_seen(ARGV[1], KEYS[1], items, ARGV[2] == '1')
local out = {}
for i = 1, n do out[i] = fresh[i] and 1 or 0 end
return out
