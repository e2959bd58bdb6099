-- Scenario 1 (logistics): how many valid (not cancelled) orders does each
-- carrier have right now?  Only each order's latest message counts, so a
-- reassignment moves the order between carriers and a cancellation removes it.
-- TEMPORARY: the script's own definitions, not kept in the data directory,
-- so the script runs again and again (in batch and in streaming mode).
CREATE TEMPORARY TABLE orders (
    order_id     BIGINT,
    created_time TIMESTAMP(3),
    cancelled    BOOLEAN,
    carrier      STRING
) WITH (
    'connector' = 'filesystem',
    'path' = 'examples/scenario1/orders.csv',
    'format' = 'csv',
    'csv.allow-comments' = 'true'
);

-- The latest state of every order.
CREATE TEMPORARY VIEW latest_orders AS
SELECT order_id,
       LAST_VALUE(carrier)   AS carrier,
       LAST_VALUE(cancelled) AS cancelled
FROM orders
GROUP BY order_id;

SELECT carrier, COUNT(*) AS valid_orders
FROM latest_orders
WHERE NOT cancelled
GROUP BY carrier;
