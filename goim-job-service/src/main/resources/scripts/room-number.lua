-- Numbers a batch of one room's messages and keeps them (issue 15, docs/recovery.md), atomically.
-- KEYS[1] position hash (e epoch, o offset, p Kafka partition, k Kafka offset of the last record numbered)
-- KEYS[2] history list of inner frames (seq = offset), KEYS[3] sorted set Kafka offset -> room offset
-- ARGV[1] epoch for a new position, [2] size, [3] ttl ms, [4] position ttl ms, [5] replay window,
-- [6] replay ttl ms, [7] Kafka partition, [8] deadline: Redis's time (ms since the epoch) after which
-- job no longer waits for this call, then per message: its Kafka offset (-1: unknown), its inner frame
-- Returns {epoch, n1, n2, ...}: n > 0 a new offset, -n the offset a replayed record got before,
-- 0 a replayed record whose offset is forgotten; {} when Redis starts the script after the deadline
-- (a Redis that was frozen or slow): nothing is numbered or stored, job delivers the batch unnumbered.
-- TIME before writes needs effects replication: the default since Redis 5, the only mode since 7.
local now = redis.call('TIME')
if tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000) > tonumber(ARGV[8]) then
  return {}
end
local meta = redis.call('HMGET', KEYS[1], 'e', 'o', 'p', 'k')
local epoch = meta[1]
local offset = tonumber(meta[2]) or 0
if not epoch then
  epoch = ARGV[1]
  offset = 0
  redis.call('DEL', KEYS[2], KEYS[3])
end
local size = tonumber(ARGV[2])
local partition = ARGV[7]
local last = -1
if meta[3] == partition and meta[4] then
  last = tonumber(meta[4])
end
local out = {epoch}
local stored = 0
local mapped = 0
for i = 9, #ARGV, 2 do
  local k = tonumber(ARGV[i])
  if k >= 0 and k <= last then
    local found = redis.call('ZRANGEBYSCORE', KEYS[3], k, k, 'LIMIT', 0, 1)
    if found[1] then
      out[#out + 1] = -tonumber(found[1])
    else
      out[#out + 1] = 0
    end
  else
    offset = offset + 1
    if k >= 0 then
      last = k
      redis.call('ZADD', KEYS[3], k, offset)
      mapped = mapped + 1
    end
    if size > 0 then
      local frame = ARGV[i + 1]
      redis.call('RPUSH', KEYS[2], string.sub(frame, 1, 12) .. struct.pack('>i4', offset) .. string.sub(frame, 17))
      stored = stored + 1
    end
    out[#out + 1] = offset
  end
end
redis.call('HSET', KEYS[1], 'e', epoch, 'o', offset, 'p', partition, 'k', last)
redis.call('PEXPIRE', KEYS[1], ARGV[4])
if stored > 0 then
  redis.call('LTRIM', KEYS[2], -size, -1)
  redis.call('PEXPIRE', KEYS[2], ARGV[3])
end
if mapped > 0 then
  redis.call('ZREMRANGEBYRANK', KEYS[3], 0, -(tonumber(ARGV[5]) + 1))
  redis.call('PEXPIRE', KEYS[3], ARGV[6])
end
return out
