--[[
  Claims one step of a cycle for a worker: takes a pending step, renews the caller's own,
  takes over a running step whose lease has run out, and refuses one another worker holds.

    Input:
      KEYS[1] step journal hash

      ARGV[1] step index
      ARGV[2] owner token
      ARGV[3] now (epoch ms)
      ARGV[4] lease (ms)

    Output:
      {kind, previous owner}: kind is "claimed" | "mine" | "takeover" | "busy" | "done" | "failed"
]]
local s = ARGV[1]
local st = redis.call('HGET', KEYS[1], s .. ':state') or 'pending'
if st == 'done' or st == 'failed' then return {st, ''} end
local now = tonumber(ARGV[3])
local lease = now + tonumber(ARGV[4])
if st == 'running' then
  local owner = redis.call('HGET', KEYS[1], s .. ':owner') or ''
  if owner == ARGV[2] then
    redis.call('HSET', KEYS[1], s .. ':lease', lease)
    return {'mine', owner}
  end
  if tonumber(redis.call('HGET', KEYS[1], s .. ':lease') or '0') > now then return {'busy', owner} end
  redis.call('HSET', KEYS[1], s .. ':owner', ARGV[2], s .. ':lease', lease)
  return {'takeover', owner}
end
redis.call('HSET', KEYS[1], s .. ':state', 'running', s .. ':owner', ARGV[2], s .. ':lease', lease)
return {'claimed', ''}
