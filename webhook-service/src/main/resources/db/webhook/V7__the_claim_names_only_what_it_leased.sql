-- The delivery claim returns what it leased, (delivery, lease, tenant), and nothing of the delivery: its endpoint's
-- address and secrets and its message are read under the worker scope of that tenant (DeliveryRepository.leased).
-- A new return type needs the function made anew: dropped here, created with its grants in R__webhook_functions.sql.
drop function webhook.claim_due(int, int, int);
