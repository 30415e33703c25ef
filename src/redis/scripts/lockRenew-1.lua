--[[
  Renews the cluster lock's expiry if the caller's cycle holds it.

    Input:
      KEYS[1] cluster lock key

      ARGV[1] cycle id
      ARGV[2] ttl (ms)

    Output:
      1 renewed, 0 held by another cycle or free
]]
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
