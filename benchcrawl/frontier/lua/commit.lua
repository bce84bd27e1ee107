-- Writes one batch of a worker's outbox, atomically: new requests (deduplicated, into the
-- fresh lists of their score, see fresh_push), then
-- acknowledgements, then failures. A lease is only settled by the worker that holds it; a
-- lease that expired and sits in the queue again, unclaimed, is settled too (the work is
-- done), one that another worker has taken is left to it.
-- KEYS: queue, data, leases, owners, failed, seq, dupefilter
-- ARGV: mode ('exact'|'bloom'), worker, npush, nack, nfail,
--       npush x [filter ('1'|'0'), score, json, w, w fingerprint args (see mark_seen)],
--       nack x [id], nfail x [id, record json]
-- Returns: {pushed, duplicates, acked, failed}
local mode, worker = ARGV[1], ARGV[2]
local npush, nack, nfail = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local pos = 6

local starts, checked, items, nchecked = {}, {}, {}, 0
for i = 1, npush do
  starts[i] = pos
  local w = tonumber(ARGV[pos + 3])
  if ARGV[pos] == '1' then
    nchecked = nchecked + 1
    checked[nchecked] = i
    items[nchecked] = {unpack(ARGV, pos + 4, pos + 3 + w)}
  end
  pos = pos + 4 + w
end
local fresh = mark_seen(mode, KEYS[7], items, false)
local keep = {}
for i = 1, npush do keep[i] = true end
for j = 1, nchecked do keep[checked[j]] = fresh[j] end

local order, pushed = {}, 0
for i = 1, npush do
  if keep[i] then pushed = pushed + 1; order[pushed] = i end
end
if pushed > 0 then
  redis.call('INCRBY', KEYS[6], pushed)  -- the sequence also counts every queued request
  local lists, scores, nscores = {}, {}, 0
  for j = 1, pushed do
    local base = starts[order[j]]
    local score = ARGV[base + 1]
    local list = lists[score]
    if not list then
      list = {n = 0}; lists[score] = list
      nscores = nscores + 1; scores[nscores] = score
    end
    list.n = list.n + 1; list[list.n] = ARGV[base + 2]
  end
  for i = 1, nscores do
    local list = lists[scores[i]]
    fresh_push(KEYS[1], scores[i], list, list.n)
  end
end

local function settle(id)
  local mine, owner = end_lease(KEYS[3], KEYS[4], worker, id)
  if mine then return true end
  return (not owner) and redis.call('ZREM', KEYS[1], id) == 1
end

local acked, failed = settle_all(KEYS[2], KEYS[5], settle, pos, nack, nfail)
return {pushed, npush - pushed, acked, failed}
