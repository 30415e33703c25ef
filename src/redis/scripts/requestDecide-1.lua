--[[
  Decides, once, whether a chat request was queued (src/redis/requestGate.ts says why). Both
  writes are SET NX in effect: whichever comes first decides, nothing overwrites it.

    Input:
      KEYS[1] request key

      ARGV[1] value to set ("accepted:<jobId>" or "abandoned")
      ARGV[2] acceptBy (epoch ms, bot clock)
      ARGV[3] ttl (ms)
      ARGV[4] op:
                "accept"  (bot): accepted if before acceptBy, else abandoned
                "settle"  (worker): abandoned, but only past acceptBy; before it returns ''
                          so the worker waits for the bot's accept
                "abandon" (bot, after its accept got no answer): abandoned unless decided

    Output:
      the value set; '=' .. value if decided earlier; '' if not yet decided ("settle")
]]
local current = redis.call('GET', KEYS[1])
if current then return '=' .. current end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local late = now > tonumber(ARGV[2]) or ARGV[4] == 'abandon'
if ARGV[4] == 'settle' and not late then return '' end
local value = ARGV[1]
if late then value = 'abandoned' end
redis.call('SET', KEYS[1], value, 'PX', ARGV[3])
return value
