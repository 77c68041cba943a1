-- Someone with the store file blames another person for creating alice.
-- expect: 3: the entry was edited
DROP TRIGGER audit_log_no_update;
UPDATE audit_log SET actor = 'cli:someone-else' WHERE seq = 3;
