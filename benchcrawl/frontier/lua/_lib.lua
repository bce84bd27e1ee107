-- Shared by the frontier scripts: prepended to each of them when they are registered.
-- (Appends use explicit counters: `t[#t + 1]` is slow on big tables in Redis's Lua.)

-- Calls `cmd key args[1..n]` in chunks small enough for unpack(); `width` keeps argument
-- groups (score+member, SET+type+offset+value) whole. Returns table replies concatenated.
local function call_many(cmd, key, args, n, width)
  local out, m = {}, 0
  local step = 6000 - (6000 % width)
  for s = 1, n, step do
    local reply = redis.call(cmd, key, unpack(args, s, math.min(s + step - 1, n)))
    if type(reply) == 'table' then
      for i = 1, #reply do out[m + i] = reply[i] end
      m = m + #reply
    end
  end
  return out
end

-- Marks items as seen (or, with readonly, only looks); returns, per item, true when it was
-- not seen before. An item is a list: {raw fingerprint} (exact) or its k Bloom bit
-- positions as decimal strings (bloom: BITFIELD SET returns each bit's old value, so
-- one pass both tests and sets, and a repeat within the batch sees its first copy).
local function mark_seen(mode, key, items, readonly)
  local fresh = {}
  local count = #items
  if count == 0 then return fresh end
  if mode == 'exact' then
    local fps = {}
    for i = 1, count do fps[i] = items[i][1] end
    local present = call_many('SMISMEMBER', key, fps, count, 1)
    local batch, added, n = {}, {}, 0
    for i = 1, count do
      local fp = fps[i]
      fresh[i] = present[i] == 0 and not batch[fp]
      if fresh[i] then batch[fp] = true; n = n + 1; added[n] = fp end
    end
    if n > 0 and not readonly then call_many('SADD', key, added, n, 1) end
    return fresh
  end
  local ops, n = {}, 0
  for i = 1, count do
    local item = items[i]
    for j = 1, #item do
      if readonly then
        ops[n + 1] = 'GET'; ops[n + 2] = 'u1'; ops[n + 3] = item[j]; n = n + 3
      else
        ops[n + 1] = 'SET'; ops[n + 2] = 'u1'; ops[n + 3] = item[j]; ops[n + 4] = 1; n = n + 4
      end
    end
  end
  local bits = call_many('BITFIELD', key, ops, n, readonly and 3 or 4)
  local b = 0
  for i = 1, count do
    local new = false
    for _ = 1, #items[i] do
      b = b + 1
      if bits[b] == 0 then new = true end
    end
    fresh[i] = new
  end
  return fresh
end

local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- A queued request's JSON is untrusted (anyone with the Redis can write it): these read
-- every form of benchcrawl.frontier.serialize (plain text 'url cb eb', priority 0; format
-- 2: [url, cb, eb, {p=...}]; format 1: an object with url and priority) and give nil / 0
-- for anything else.
local function plain(json)
  local c = string.sub(json, 1, 1)
  return c ~= '[' and c ~= '{'
end

local function decoded(json)
  if plain(json) then return nil end
  local ok, d = pcall(cjson.decode, json)
  if ok and type(d) == 'table' then return d end
  return nil
end

local function url_of(json)
  if plain(json) then return string.match(json, '^[^ ]+') end
  local d = decoded(json)
  if not d then return nil end
  local url = d[1]
  if url == nil then url = d['url'] end
  if type(url) == 'string' then return url end
  return nil
end

local function priority_of(json)
  local d = decoded(json)
  if not d then return 0 end
  local p
  if d[1] ~= nil then
    if type(d[4]) == 'table' then p = d[4]['p'] end
  else
    p = d['priority']
  end
  return tonumber(p) or 0
end

-- Fresh requests (queued, never leased) wait without an id, as their JSON, in one list
-- per score (-priority), FIFO: `<queue>:list:<score>`; `<queue>:lists` is a zset of the
-- scores (member: the score's text) whose list may be non-empty. Requests put back (an
-- expired lease, a release, a re-queued failure) and those an older version queued are ids
-- in the queue zset itself, their JSON in the data hash. The queue's head is the lower
-- score of the two; at equal scores the zset's (its requests are the older).
local function fresh_push(queue, score, datas, n)
  call_many('RPUSH', queue .. ':list:' .. score, datas, n, 1)
  redis.call('ZADD', queue .. ':lists', 'NX', score, score)
end

local function fresh_count(queue)
  local total = 0
  for _, s in ipairs(redis.call('ZRANGE', queue .. ':lists', 0, -1)) do
    total = total + redis.call('LLEN', queue .. ':list:' .. s)
  end
  return total
end

-- The queue's head: 'z', id (the zset's) or 'l', score text (a list), or nil when empty.
local function head(queue)
  local z = redis.call('ZRANGE', queue, 0, 0, 'WITHSCORES')
  local l = redis.call('ZRANGE', queue .. ':lists', 0, 0, 'WITHSCORES')
  if #l > 0 and (#z == 0 or tonumber(l[2]) < tonumber(z[2])) then return 'l', l[1] end
  if #z > 0 then return 'z', z[1] end
  return nil
end

-- Takes up to n requests off the queue, in order. Returns kinds, values, count: kind 'z'
-- with an id (its JSON in the data hash) or 'l' with the JSON of a fresh request.
local function take(queue, n)
  local kinds, vals, k = {}, {}, 0
  for _ = 1, n + 8 do
    if k >= n then break end
    local kind, what = head(queue)
    if not kind then break end
    if kind == 'z' then
      k = k + 1; kinds[k] = 'z'; vals[k] = redis.call('ZPOPMIN', queue)[1]
    else
      local want = n - k
      local got = redis.call('LPOP', queue .. ':list:' .. what, want) or {}
      for i = 1, #got do kinds[k + i] = 'l'; vals[k + i] = got[i] end
      k = k + #got
      if #got < want then redis.call('ZREM', queue .. ':lists', what) end
    end
  end
  return kinds, vals, k
end

-- The JSON of the queue's head without taking it: false when the queue is empty, nil when
-- its head id has no data.
local function peek(queue, data)
  for _ = 1, 8 do
    local kind, what = head(queue)
    if not kind then return false end
    if kind == 'z' then return redis.call('HGET', data, what) or nil end
    local json = redis.call('LINDEX', queue .. ':list:' .. what, 0)
    if json then return json end
    redis.call('ZREM', queue .. ':lists', what)
  end
  return false
end

-- Deletes the fresh requests of a queue; returns their JSON.
local function fresh_drop(queue)
  local all, n = {}, 0
  for _, s in ipairs(redis.call('ZRANGE', queue .. ':lists', 0, -1)) do
    local list = queue .. ':list:' .. s
    for _, json in ipairs(redis.call('LRANGE', list, 0, -1)) do n = n + 1; all[n] = json end
    redis.call('DEL', list)
  end
  redis.call('DEL', queue .. ':lists')
  return all
end

-- Puts leased ids back in the queue at their own priority (read from the request JSON).
local function requeue(queue, data, ids)
  local zargs, n = {}, 0
  for _, id in ipairs(ids) do
    local json = redis.call('HGET', data, id)
    if json then
      zargs[n + 1] = -priority_of(json); zargs[n + 2] = id
      n = n + 2
    end
  end
  if n > 0 then call_many('ZADD', queue, zargs, n, 2) end
  return n / 2
end

-- Ends *worker*'s lease on *id*: true if it held it; else false and the id's owner (nil
-- when nobody leases it).
local function end_lease(leases, owners, worker, id)
  local owner = redis.call('HGET', owners, id)
  if owner == worker then
    redis.call('ZREM', leases, id)
    redis.call('HDEL', owners, id)
    return true, owner
  end
  return false, owner
end

-- The ids among ARGV[first..] that *worker* leases, their leases ended (a clean release).
local function take_own_leases(leases, owners, worker, first)
  local mine, n = {}, 0
  for i = first, #ARGV do
    if end_lease(leases, owners, worker, ARGV[i]) then n = n + 1; mine[n] = ARGV[i] end
  end
  return mine
end

-- A worker's periodic call: heartbeat *worker* in *workers* and forget workers silent for
-- ttl_ms; renew its leases among ARGV[first..] by lease_ms (those it no longer holds are
-- lost); end up to *limit* expired leases, anyone's. Returns {lost ids}, {expired ids}.
local function maintain_leases(workers, leases, owners, worker, lease_ms, ttl_ms, limit, first)
  local now = now_ms()
  redis.call('ZADD', workers, now, worker)
  redis.call('ZREMRANGEBYSCORE', workers, '-inf', now - tonumber(ttl_ms))
  local lost, renew, nlost, nrenew = {}, {}, 0, 0
  local deadline = now + tonumber(lease_ms)
  for i = first, #ARGV do
    local id = ARGV[i]
    if redis.call('HGET', owners, id) == worker then
      renew[nrenew + 1] = deadline; renew[nrenew + 2] = id; nrenew = nrenew + 2
    else
      nlost = nlost + 1; lost[nlost] = id
    end
  end
  if nrenew > 0 then call_many('ZADD', leases, renew, nrenew, 2) end
  local expired = redis.call('ZRANGEBYSCORE', leases, '-inf', now, 'LIMIT', 0, tonumber(limit))
  for _, id in ipairs(expired) do
    redis.call('ZREM', leases, id)
    redis.call('HDEL', owners, id)
  end
  return lost, expired
end

-- Acks and failures of a commit: ARGV from *pos* holds nack ids, then nfail (id, record)
-- pairs. `settle(id)` ends the id's lease (or takes it off the queue, unclaimed) and says
-- whether it was there to settle. Returns how many were acked and failed.
local function settle_all(data, failed_key, settle, pos, nack, nfail)
  local acked = 0
  for i = 0, nack - 1 do
    local id = ARGV[pos + i]
    if settle(id) then
      redis.call('HDEL', data, id)
      acked = acked + 1
    end
  end
  pos = pos + nack
  local failed = 0
  for i = 0, nfail - 1 do
    local id = ARGV[pos + 2 * i]
    if settle(id) then
      redis.call('HSET', failed_key, id, ARGV[pos + 2 * i + 1])
      failed = failed + 1
    end
  end
  return acked, failed
end
