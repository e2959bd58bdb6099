-- -------------------------------------------------------------------------------------------------
-- Query 6: Average Selling Price by Seller
-- -------------------------------------------------------------------------------------------------
-- What is the average selling price per seller for their last 10 closed auctions.
-- Shares the same ‘winning bids’ core as for Query4, and illustrates a specialized combiner.
-- -------------------------------------------------------------------------------------------------

-- weir: the benchmark's text is not valid SQL and Flink cannot run it (its
-- OVER window operator takes no retractions); weir runs this rewrite, as
-- close to it as SQL allows:
-- - the benchmark filters `rownum <= 1` in the WHERE of the SELECT that
--   defines rownum; here ROW_NUMBER is computed by one SELECT and filtered by
--   the enclosing one (the usual top-N form, as in Query 9);
-- - its ROW_NUMBER names A.id and A.seller, which are out of scope over the
--   derived table (it has no A); here they are its columns id and seller;
-- - the closing price's time is the winning bid's `dateTime`.  A regular
--   join and a top-N keep their inputs' time attributes in weir (their
--   watermark is the least of their inputs'), so it is still the rowtime
--   attribute the OVER window needs; Flink would have turned it into a
--   plain TIMESTAMP at the join.  The OVER aggregate takes the top-N's
--   updates: when an auction's best bid changes, the old closing price is
--   retracted and the seller's averages that included it are updated.  A
--   winning bid behind the watermark when it comes out would be late
--   (dropped and counted); in the generated stream none is, since a bid
--   never precedes its auction;
-- - the sink's seller column is the benchmark's VARCHAR, the auction's is a
--   BIGINT: the query casts it (an INSERT converts no BIGINT to VARCHAR by
--   itself, in Flink either);
-- - ROWS BETWEEN 10 PRECEDING AND CURRENT ROW is the benchmark's frame: the
--   last 11 closing prices, not 10.
CREATE TABLE nexmark_q6 (
  seller VARCHAR,
  avg_price  BIGINT
) WITH (
  'connector' = 'blackhole'
);

INSERT INTO nexmark_q6
SELECT
    CAST(Q.seller AS VARCHAR),
    AVG(Q.price) OVER
        (PARTITION BY Q.seller ORDER BY Q.`dateTime` ROWS BETWEEN 10 PRECEDING AND CURRENT ROW)
FROM (
    SELECT *
    FROM (
        SELECT *, ROW_NUMBER() OVER (PARTITION BY id, seller ORDER BY price DESC) AS rownum
        FROM (SELECT A.id, A.seller, B.price, B.`dateTime`
            FROM auction AS A,
                bid AS B
            WHERE A.id = B.auction
                and B.`dateTime` between A.`dateTime` and A.expires)
    )
    WHERE rownum <= 1
) AS Q;
