-- Leases the next request of each domain whose turn comes within the look-ahead, in order
-- of turn, and moves each domain's turn on by its delay (a fresh request gets its id here,
-- and its JSON goes to the data hash while it is leased). A domain whose robots.txt is not
-- known (or expired) gets a robots.txt lease instead of a page (the worker builds that
-- request from the returned origin); one whose robots.txt is being fetched or was
-- unreachable waits until the time stored for it. A domain that is excluded (itself or a
-- parent) or not a seed domain (e.g. a redirect's target) is dropped with its queue.
-- KEYS: ready, data, leases, owners, robots_state, delays, seq, queued, excluded, seeds
-- ARGV: worker, lease_ms, n, min_delay_ms, lookahead_ms, queue prefix, subdomains ('1'|'0')
-- Returns: {dropped requests, ms to the next turn (-1: none), id1, json1 or '', origin1 or '', ...}
local now = now_ms()
local worker, lease_ms, n = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local min_delay, lookahead, prefix = tonumber(ARGV[4]), tonumber(ARGV[5]), ARGV[6]
local subdomains = ARGV[7] == '1'
local deadline = now + lease_ms
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now + lookahead, 'WITHSCORES',
                       'LIMIT', 0, n)
local out, no, leases, nl, owners, taken = {0, -1}, 2, {}, 0, {}, 0
local data, nd = {}, 0
local function lease(id, json, origin)
  leases[nl + 1] = deadline; leases[nl + 2] = id
  owners[nl + 1] = id; owners[nl + 2] = worker
  nl = nl + 2
  out[no + 1] = id; out[no + 2] = json; out[no + 3] = origin
  no = no + 3
end
for i = 1, #due, 2 do
  local domain, turn = due[i], tonumber(due[i + 1])
  local q = prefix .. domain
  local state = tonumber(redis.call('HGET', KEYS[5], domain) or '0')
  if in_set(KEYS[9], domain, true) or not in_set(KEYS[10], domain, subdomains) then
    out[1] = out[1] + drop_domain(KEYS[1], KEYS[2], KEYS[8], prefix, domain)
  elseif state > now then
    local kinds, vals, k = take(q, 1)
    if k == 0 then
      redis.call('ZREM', KEYS[1], domain)
    else
      local delay = math.max(min_delay, tonumber(redis.call('HGET', KEYS[6], domain) or '0'))
      redis.call('ZADD', KEYS[1], math.max(turn, now) + delay, domain)
      taken = taken + 1
      if kinds[1] == 'z' then
        local json = redis.call('HGET', KEYS[2], vals[1])
        if json then lease(vals[1], json, '') end
      else
        local id = string.format('%016x', redis.call('INCR', KEYS[7])) .. '@' .. domain
        data[nd + 1] = id; data[nd + 2] = vals[1]; nd = nd + 2
        lease(id, vals[1], '')
      end
    end
  elseif state < 0 and -state > now then
    redis.call('ZADD', KEYS[1], -state, domain)
  else
    local json = peek(q, KEYS[2])
    if json == false then
      redis.call('ZREM', KEYS[1], domain)
    else
      -- queued data is untrusted (anyone with the Redis can write it): a value that is not
      -- a request with a string url falls back to http://domain, and the worker that
      -- leases the page itself drops it as unreadable
      local url = json and url_of(json)
      local origin = url and string.match(url, '^(%a[%w+.-]*://[^/?#]+)')
      local id = string.format('%016x', redis.call('INCR', KEYS[7])) .. '@' .. domain
      redis.call('HSET', KEYS[5], domain, -deadline)
      redis.call('ZADD', KEYS[1], deadline, domain)
      lease(id, '', origin or ('http://' .. domain))
    end
  end
end
if nd > 0 then redis.call('HSET', KEYS[2], unpack(data)) end
if nl > 0 then
  redis.call('ZADD', KEYS[3], unpack(leases))
  redis.call('HSET', KEYS[4], unpack(owners))
end
if taken > 0 then redis.call('DECRBY', KEYS[8], taken) end
local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #first > 0 then out[2] = math.max(0, tonumber(first[2]) - now) end
return out
