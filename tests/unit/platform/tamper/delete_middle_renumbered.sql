-- Entry 3 is removed and the later ones renumbered so that seq still runs 1, 2, 3...
-- expect: 3: its link to the entry before does not match
DROP TRIGGER audit_log_no_delete;
DROP TRIGGER audit_log_no_update;
DELETE FROM audit_log WHERE seq = 3;
UPDATE audit_log SET seq = seq + 100 WHERE seq > 3;
UPDATE audit_log SET seq = seq - 101 WHERE seq > 100;
