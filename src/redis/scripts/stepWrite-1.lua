--[[
  Writes a step's body (and optionally its state and lease) only if the caller still owns it:
  a worker that lost its lease is refused and stops.

    Input:
      KEYS[1] step journal hash

      ARGV[1] step index
      ARGV[2] owner token
      ARGV[3] body (JSON)
      ARGV[4] new state ('' keeps it)
      ARGV[5] lease until, epoch ms ('' keeps it)

    Output:
      1 written, 0 not the owner
]]
local s = ARGV[1]
if redis.call('HGET', KEYS[1], s .. ':owner') ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], s .. ':body', ARGV[3])
if ARGV[4] ~= '' then redis.call('HSET', KEYS[1], s .. ':state', ARGV[4]) end
if ARGV[5] ~= '' then redis.call('HSET', KEYS[1], s .. ':lease', ARGV[5]) end
return 1
