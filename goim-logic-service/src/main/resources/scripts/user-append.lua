-- Numbers one push by mids for one mid and keeps it in the mid's inbox (issue 15, docs/recovery.md).
-- KEYS[1] position hash (e epoch, o offset), KEYS[2] inbox list of inner frames (seq = offset)
-- ARGV[1] epoch for a new position, [2] size, [3] ttl ms, [4] position ttl ms, [5] inner frame (seq 0)
-- Returns the message's offset.
local meta = redis.call('HMGET', KEYS[1], 'e', 'o')
local epoch = meta[1]
local offset = tonumber(meta[2]) or 0
if not epoch then
  epoch = ARGV[1]
  offset = 0
  redis.call('DEL', KEYS[2])
end
offset = offset + 1
redis.call('HSET', KEYS[1], 'e', epoch, 'o', offset)
redis.call('PEXPIRE', KEYS[1], ARGV[4])
local size = tonumber(ARGV[2])
if size > 0 then
  local frame = ARGV[5]
  redis.call('RPUSH', KEYS[2], string.sub(frame, 1, 12) .. struct.pack('>i4', offset) .. string.sub(frame, 17))
  redis.call('LTRIM', KEYS[2], -size, -1)
  redis.call('PEXPIRE', KEYS[2], ARGV[3])
end
return offset
