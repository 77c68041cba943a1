-- Entry 4's link is pointed at entry 2, as if entry 3 never happened.
-- expect: 4: its link to the entry before does not match
DROP TRIGGER audit_log_no_update;
UPDATE audit_log SET prev_hash = (SELECT hash FROM audit_log WHERE seq = 2) WHERE seq = 4;
