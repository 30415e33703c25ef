--[[
  Releases the cluster lock if the caller's cycle holds it.

    Input:
      KEYS[1] cluster lock key

      ARGV[1] cycle id

    Output:
      1 released, 0 held by another cycle or free
]]
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
