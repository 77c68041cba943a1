-- The previous state of the last change is rewritten to hide what it was.
-- expect: 6: the entry was edited
DROP TRIGGER audit_log_no_update;
UPDATE audit_log SET before = replace(before, 'USA', 'MEX') WHERE seq = 6;
