-- A forged entry is slipped in after entry 3, chained to it, the later ones moved up one.
-- expect: 4: the entry was edited
DROP TRIGGER audit_log_no_update;
UPDATE audit_log SET seq = seq + 100 WHERE seq > 3;
UPDATE audit_log SET seq = seq - 99 WHERE seq > 100;
INSERT INTO audit_log(seq, at, actor, org, origin, action, target, before, after, prev_hash, hash)
  SELECT 4, at, actor, org, origin, 'user.create', 'user:mallory', '', '{"login":"mallory"}', hash,
         'ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff'
  FROM audit_log WHERE seq = 3;
