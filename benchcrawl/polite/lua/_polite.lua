-- Shared by the polite (per-domain) queue's scripts; prepended after _lib.lua.
-- A leased id is '<16 hex digits>@<domain>', so every script finds a request's domain queue
-- without reading its JSON: queue key = prefix .. domain. A domain queue is the frontier's
-- queue shape (see fresh_push and take in _lib.lua): fresh requests in lists by score, ids
-- put back in the zset.

local function domain_of(id)
  return string.match(id, '@(.+)$')
end

-- Puts leased ids back in their domain queues at their own priority; a domain not in the
-- ready zset is added as due now (its gate still spaces the next fetch).
local function requeue_polite(ready, data, queued, prefix, ids)
  local n = 0
  local now = now_ms()
  for _, id in ipairs(ids) do
    local json = redis.call('HGET', data, id)
    local domain = domain_of(id)
    if json and domain then
      local score = -priority_of(json)
      redis.call('ZADD', prefix .. domain, score, id)
      redis.call('ZADD', ready, 'NX', now, domain)
      n = n + 1
    end
  end
  if n > 0 then redis.call('INCRBY', queued, n) end
  return n
end

-- Is the domain (or a parent of it) in the set? With parents false, only the domain itself.
local function in_set(set, domain, parents)
  local d = domain
  while d do
    if redis.call('SISMEMBER', set, d) == 1 then return true end
    if not parents then return false end
    d = string.match(d, '^[^.]*%.(.+)$')
  end
  return false
end

-- Deletes a domain's queue and returns how many requests it held. Their data goes too;
-- or, given *failed* and *record*, they are recorded as failed instead (their data kept,
-- so they can be queued again; a fresh request gets an id from *seq* for it).
local function drop_domain(ready, data, queued, prefix, domain, failed, record, seq)
  local q = prefix .. domain
  local ids = redis.call('ZRANGE', q, 0, -1)
  local fresh = fresh_drop(q)
  if failed and #fresh > 0 then
    local last = redis.call('INCRBY', seq, #fresh)
    local args, n = {}, 0
    for i, json in ipairs(fresh) do
      local id = string.format('%016x', last - #fresh + i) .. '@' .. domain
      ids[#ids + 1] = id
      args[n + 1] = id; args[n + 2] = json; n = n + 2
    end
    call_many('HSET', data, args, n, 2)
  end
  if #ids > 0 then
    if failed then
      local args, n = {}, 0
      for _, id in ipairs(ids) do args[n + 1] = id; args[n + 2] = record; n = n + 2 end
      call_many('HSET', failed, args, n, 2)
    else
      call_many('HDEL', data, ids, #ids, 1)
    end
  end
  local total = #ids
  if not failed then total = total + #fresh end
  if total > 0 then redis.call('DECRBY', queued, total) end
  redis.call('DEL', q)
  redis.call('ZREM', ready, domain)
  return total
end
