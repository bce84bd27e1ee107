-- Renew the run lock if this scheduler still holds it.
-- KEYS[1] = the lock key (SCHEDULE_LOCK_KEY)
-- ARGV[1] = the holder's token, ARGV[2] = the new expiry (ms)
-- Returns 1 if renewed, 0 if the lock is gone or held by another token.
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
