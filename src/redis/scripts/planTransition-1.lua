--[[
  Moves a cycle plan's state only from one of the allowed states, so the transitions that
  start or end a run happen once.

    Input:
      KEYS[1] plan hash

      ARGV[1]    new state
      ARGV[2..n] states it may move from

    Output:
      1 moved, 0 not in an allowed state
]]
local s = redis.call('HGET', KEYS[1], 'state')
for i = 2, #ARGV do
  if s == ARGV[i] then
    redis.call('HSET', KEYS[1], 'state', ARGV[1])
    return 1
  end
end
return 0
