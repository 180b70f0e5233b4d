-- Reads a stream's position and stored messages (issue 15, docs/recovery.md).
-- KEYS[1] position hash (e epoch, o offset), KEYS[2] history list of inner frames (seq = offset)
-- ARGV[1] epoch for a new position ('' = do not create one), ARGV[2] position ttl ms
-- Returns {epoch, offset, {frame, ...}}; {'', 0, {}} for no stream when not creating.
local meta = redis.call('HMGET', KEYS[1], 'e', 'o')
if not meta[1] then
  if ARGV[1] == '' then
    return {'', 0, {}}
  end
  redis.call('DEL', KEYS[2])
  redis.call('HSET', KEYS[1], 'e', ARGV[1], 'o', 0)
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return {ARGV[1], 0, {}}
end
return {meta[1], tonumber(meta[2]), redis.call('LRANGE', KEYS[2], 0, -1)}
