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

-- Puts leased ids back in the queue at their own priority (read from the request JSON).
local function requeue(queue, data, ids)
  local zargs, n = {}, 0
  for _, id in ipairs(ids) do
    local json = redis.call('HGET', data, id)
    if json then
      zargs[n + 1] = -(tonumber(cjson.decode(json)['priority']) or 0); zargs[n + 2] = id
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
