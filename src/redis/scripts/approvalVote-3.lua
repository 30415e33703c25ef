--[[
  Counts one reaction on a cycle plan, or cancels or expires the plan. The only place a plan
  moves from "pending" to "approved", so two reactions at once on two replicas can neither
  double-count nor start the run twice.

    Input:
      KEYS[1] plan hash
      KEYS[2] votes hash (one per plan hash: a changed plan starts from zero)
      KEYS[3] pending plans sorted set

      ARGV[1] op: "approve" | "withdraw" | "cancel" | "expire"
      ARGV[2] user
      ARGV[3] now (epoch ms)
      ARGV[4] plan id
      ARGV[5] plan hash the reaction was made on

    Output:
      {state, votes, outcome}
]]
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return {'missing', 0, 'missing'} end
if state ~= 'pending' then return {state, redis.call('HLEN', KEYS[2]), 'closed'} end
if redis.call('HGET', KEYS[1], 'hash') ~= ARGV[5] then return {state, 0, 'stale'} end
local now = tonumber(ARGV[3])
if now >= tonumber(redis.call('HGET', KEYS[1], 'expiresAt')) then
  redis.call('HSET', KEYS[1], 'state', 'expired')
  redis.call('ZREM', KEYS[3], ARGV[4])
  return {'expired', redis.call('HLEN', KEYS[2]), 'expired'}
end
local op = ARGV[1]
if op == 'expire' then return {state, redis.call('HLEN', KEYS[2]), 'not-due'} end
if op == 'cancel' then
  redis.call('HSET', KEYS[1], 'state', 'cancelled', 'decidedBy', ARGV[2])
  redis.call('ZREM', KEYS[3], ARGV[4])
  return {'cancelled', redis.call('HLEN', KEYS[2]), 'cancelled'}
end
if op == 'withdraw' then
  local removed = redis.call('HDEL', KEYS[2], ARGV[2])
  return {state, redis.call('HLEN', KEYS[2]), removed == 1 and 'withdrawn' or 'noop'}
end
local added = redis.call('HSETNX', KEYS[2], ARGV[2], ARGV[3])
local n = redis.call('HLEN', KEYS[2])
if n >= tonumber(redis.call('HGET', KEYS[1], 'required')) then
  redis.call('HSET', KEYS[1], 'state', 'approved', 'approvedBy', cjson.encode(redis.call('HKEYS', KEYS[2])))
  redis.call('ZREM', KEYS[3], ARGV[4])
  return {'approved', n, 'approved'}
end
return {state, n, added == 1 and 'voted' or 'duplicate'}
