-- Scenario 2 (logistics): how many orders left the warehouse more than 6
-- hours ago and have still not been picked up?  No message arrives when the
-- 6 hours pass: the temporal filter on NOW() keeps each outbound order and
-- lets it into the count when its deadline passes (a timer), and the LEFT
-- JOIN takes it out again when its pickup arrives (a retraction).
--
-- This file replays its input under a manual clock, so the run is the same
-- every time; in production, drop the two SET lines and processing time is
-- the wall clock.
SET 'weir.clock' = 'manual';
SET 'weir.clock.start' = '2024-03-01 08:00:00';

-- TEMPORARY: the script's own definitions, not kept in the data directory,
-- so the script runs again and again (in batch and in streaming mode).
CREATE TEMPORARY TABLE events (
    order_id   BIGINT,
    kind       STRING,
    event_time TIMESTAMP(3)
) WITH (
    'connector' = 'filesystem',
    'path' = 'examples/scenario2/events.csv',
    'format' = 'csv',
    'csv.allow-comments' = 'true'
);

CREATE TEMPORARY VIEW outbound AS
SELECT order_id, event_time AS outbound_time FROM events WHERE kind = 'outbound';

CREATE TEMPORARY VIEW pickup AS
SELECT order_id, event_time AS pickup_time FROM events WHERE kind = 'pickup';

-- the overdue orders themselves, entering and leaving as time passes
SELECT o.order_id, o.outbound_time
FROM outbound o LEFT JOIN pickup p ON o.order_id = p.order_id
WHERE p.pickup_time IS NULL
  AND o.outbound_time < NOW() - INTERVAL '6' HOUR;

-- and their number
SELECT COUNT(*) AS overdue
FROM outbound o LEFT JOIN pickup p ON o.order_id = p.order_id
WHERE p.pickup_time IS NULL
  AND o.outbound_time < NOW() - INTERVAL '6' HOUR;
