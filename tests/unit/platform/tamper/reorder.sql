-- Entries 2 and 3 swap places (their seq numbers are swapped).
-- expect: 2: its link to the entry before does not match
DROP TRIGGER audit_log_no_update;
UPDATE audit_log SET seq = 100 WHERE seq = 2;
UPDATE audit_log SET seq = 2 WHERE seq = 3;
UPDATE audit_log SET seq = 3 WHERE seq = 100;
