-- Right before a fetch: may this worker fetch from the domain now? Records the fetch when
-- it may. The delay is the larger of the minimum and the domain's robots.txt delay, plus a
-- margin for the time between this call and the request reaching the site.
-- KEYS: last_fetch, delays, excluded, seeds
-- ARGV: domain, min_delay_ms, margin_ms, subdomains ('1'|'0'), the domain and its parents...
-- Returns: -1 (excluded), -2 (not a seed domain), 0 (go; recorded) or the ms to wait
local nseeds = 0
for i = 5, #ARGV do
  if redis.call('SISMEMBER', KEYS[3], ARGV[i]) == 1 then return -1 end
  if (i == 5 or ARGV[4] == '1') and redis.call('SISMEMBER', KEYS[4], ARGV[i]) == 1 then
    nseeds = nseeds + 1
  end
end
if nseeds == 0 then return -2 end
local domain = ARGV[1]
local now = now_ms()
local delay = math.max(tonumber(ARGV[2]), tonumber(redis.call('HGET', KEYS[2], domain) or '0'))
if delay > 0 then delay = delay + tonumber(ARGV[3]) end
local last = tonumber(redis.call('HGET', KEYS[1], domain) or '-1')
if last >= 0 and now < last + delay then return last + delay - now end
redis.call('HSET', KEYS[1], domain, now)
return 0
