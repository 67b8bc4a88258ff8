-- An alert's payload is built by Alerts (Java) from the typed record of its event, like every other event's: no
-- event content is made in SQL.
drop function audit.alert_payload(text, text, uuid, interval, bigint, int, audit.ledger);
