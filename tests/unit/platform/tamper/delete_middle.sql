-- The creation of alice disappears from the log.
-- expect: 4: entry 4 stands where entry 3 should
DROP TRIGGER audit_log_no_delete;
DELETE FROM audit_log WHERE seq = 3;
