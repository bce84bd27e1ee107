-- commit.lua for the polite queue: new requests go to their domain's queue, into its fresh
-- list of their score (see fresh_push in _lib.lua; unless it holds
-- cap requests already: then they are dropped, counted per domain, and, with an exact
-- filter, forgotten so a later page can offer them again), then acks, then failures.
-- KEYS: ready, data, leases, owners, failed, seq, dupefilter, queued, dropped
-- ARGV: mode, worker, npush, nack, nfail, cap, queue prefix,
--       npush x [domain, filter ('1'|'0'), score, json, w, w fingerprint args],
--       nack x [id], nfail x [id, record json]
-- Returns: {pushed, duplicates, acked, failed, dropped}
local mode, worker = ARGV[1], ARGV[2]
local npush, nack, nfail = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local cap, prefix = tonumber(ARGV[6]), ARGV[7]
local pos = 8

local starts, checked, items, nchecked = {}, {}, {}, 0
for i = 1, npush do
  starts[i] = pos
  local w = tonumber(ARGV[pos + 4])
  if ARGV[pos + 1] == '1' then
    nchecked = nchecked + 1
    checked[nchecked] = i
    items[nchecked] = {unpack(ARGV, pos + 5, pos + 4 + w)}
  end
  pos = pos + 5 + w
end
local fresh = mark_seen(mode, KEYS[7], items, false)
local keep = {}
for i = 1, npush do keep[i] = true end
for j = 1, nchecked do keep[checked[j]] = fresh[j] end
local checked_at = {}
for j = 1, nchecked do checked_at[checked[j]] = j end

local sizes, pushed, dropped, forget, nforget = {}, 0, 0, {}, 0
local lists, order, nlists = {}, {}, 0
for i = 1, npush do
  if keep[i] then
    local base = starts[i]
    local domain = ARGV[base]
    local size = sizes[domain]
    if not size then
      size = 0
      if cap > 0 then
        local q = prefix .. domain
        size = redis.call('ZCARD', q) + fresh_count(q)
      end
    end
    if cap > 0 and size >= cap then
      dropped = dropped + 1
      redis.call('HINCRBY', KEYS[9], domain, 1)
      if mode == 'exact' and checked_at[i] then
        nforget = nforget + 1; forget[nforget] = items[checked_at[i]][1]
      end
    else
      local key = ARGV[base + 2] .. ' ' .. domain
      local list = lists[key]
      if not list then
        list = {n = 0, domain = domain, score = ARGV[base + 2]}; lists[key] = list
        nlists = nlists + 1; order[nlists] = key
      end
      list.n = list.n + 1; list[list.n] = ARGV[base + 3]
      pushed = pushed + 1
    end
    sizes[domain] = size + 1
  end
end
local now = now_ms()
for i = 1, nlists do
  local list = lists[order[i]]
  fresh_push(prefix .. list.domain, list.score, list, list.n)
  redis.call('ZADD', KEYS[1], 'NX', now, list.domain)
end
if nforget > 0 then call_many('SREM', KEYS[7], forget, nforget, 1) end
if pushed > 0 then
  redis.call('INCRBY', KEYS[8], pushed)
  redis.call('INCRBY', KEYS[6], pushed)  -- the sequence also counts every queued request
end

local function settle(id)
  local mine, owner = end_lease(KEYS[3], KEYS[4], worker, id)
  if mine then return true end
  if owner then return false end
  local domain = domain_of(id)
  if domain and redis.call('ZREM', prefix .. domain, id) == 1 then
    redis.call('DECR', KEYS[8])
    return true
  end
  return false
end

local acked, failed = settle_all(KEYS[2], KEYS[5], settle, pos, nack, nfail)
return {pushed, npush - pushed - dropped, acked, failed, dropped}
