-- Stores a domain's robots.txt outcome: the entry (expiring), its delay, and the robots
-- state the lease reads (+until: rules known; -until: unreachable, retry then); moves the
-- domain's turn to after this fetch's delay (or to the retry time).
-- KEYS: robots_state, delays, ready, robots entry key
-- ARGV: domain, entry json, ok ('1'|'0'), ttl_ms, retry_ms, delay_ms
local now = now_ms()
local domain = ARGV[1]
if ARGV[3] == '1' then
  local ttl = tonumber(ARGV[4])
  redis.call('SET', KEYS[4], ARGV[2], 'PX', ttl)
  redis.call('HSET', KEYS[1], domain, now + ttl)
  redis.call('HSET', KEYS[2], domain, ARGV[6])
  redis.call('ZADD', KEYS[3], 'XX', now + tonumber(ARGV[6]), domain)
else
  local retry = now + tonumber(ARGV[5])
  redis.call('SET', KEYS[4], ARGV[2], 'PX', tonumber(ARGV[5]))
  redis.call('HSET', KEYS[1], domain, -retry)
  redis.call('ZADD', KEYS[3], 'XX', retry, domain)
end
return 1
