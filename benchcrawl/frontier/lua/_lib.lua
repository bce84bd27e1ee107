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
