--[[
  Extends a step's lease if the caller still owns it (never the body, so it cannot race the
  owner's own writes).

    Input:
      KEYS[1] step journal hash

      ARGV[1] step index
      ARGV[2] owner token
      ARGV[3] lease until (epoch ms)

    Output:
      1 renewed, 0 not the owner
]]
if redis.call('HGET', KEYS[1], ARGV[1] .. ':owner') ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1] .. ':lease', ARGV[3])
return 1
