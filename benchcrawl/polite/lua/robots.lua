-- Stores a domain's robots.txt outcome: the entry (expiring), its delay, and the robots
-- state the lease reads (+until: rules known; -until: unreachable, retry then); moves the
-- domain's turn to after this fetch's delay (or to the retry time). After give_up
-- unreachable answers in a row (0: never), the domain's queued requests are recorded as
-- failed with *record* and the domain is forgotten, so it cannot hold the crawl open.
-- KEYS: robots_state, delays, ready, robots entry key, robots failures, failed, queued,
--       data, seq
-- ARGV: domain, entry json, ok ('1'|'0'), ttl_ms, retry_ms, delay_ms, give_up,
--       queue prefix, failure record json
-- Returns: -1 (stored), or how many queued requests were recorded as failed
local now = now_ms()
local domain = ARGV[1]
if ARGV[3] == '1' then
  local ttl = tonumber(ARGV[4])
  redis.call('SET', KEYS[4], ARGV[2], 'PX', ttl)
  redis.call('HSET', KEYS[1], domain, now + ttl)
  redis.call('HSET', KEYS[2], domain, ARGV[6])
  redis.call('ZADD', KEYS[3], 'XX', now + tonumber(ARGV[6]), domain)
  redis.call('HDEL', KEYS[5], domain)
  return -1
end
local failures = redis.call('HINCRBY', KEYS[5], domain, 1)
local give_up = tonumber(ARGV[7])
if give_up > 0 and failures >= give_up then
  local failed = drop_domain(KEYS[3], KEYS[8], KEYS[7], ARGV[8], domain, KEYS[6], ARGV[9], KEYS[9])
  redis.call('DEL', KEYS[4])
  redis.call('HDEL', KEYS[1], domain)
  redis.call('HDEL', KEYS[5], domain)
  return failed
end
local retry = now + tonumber(ARGV[5])
redis.call('SET', KEYS[4], ARGV[2], 'PX', tonumber(ARGV[5]))
redis.call('HSET', KEYS[1], domain, -retry)
redis.call('ZADD', KEYS[3], 'XX', retry, domain)
return -1
