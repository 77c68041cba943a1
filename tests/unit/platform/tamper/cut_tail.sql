-- The last entry is removed: only the head recorded earlier shows it.
-- head: 6
-- expect: 6: entries were cut
DROP TRIGGER audit_log_no_delete;
DELETE FROM audit_log WHERE seq = 6;
