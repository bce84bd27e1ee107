-- Release the run lock if this scheduler still holds it (never another's).
-- KEYS[1] = the lock key (SCHEDULE_LOCK_KEY)
-- ARGV[1] = the holder's token
-- Returns 1 if released, 0 if the lock was gone or held by another token.
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
