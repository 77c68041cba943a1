-- expect: 2: entry 2 stands where entry 1 should
DROP TRIGGER audit_log_no_delete;
DELETE FROM audit_log WHERE seq = 1;
