-- The eight TPC-H tables (specification clause 1.4) over the CSV files
-- bench/tpch/dbgen.c writes.  ${DIR} is the data directory: the scripts
-- (tests/cli/test_tpch.sh, bench/tpch/run, bench/tpch/answers.mjs) replace it.
-- Money and quantities are DECIMAL(15, 2) (the spec's "decimal"), keys INT
-- (orders keys BIGINT: they reach SF * 6,000,000), fixed and variable text
-- VARCHAR(n) with the spec's lengths (weir does not enforce them).

CREATE TABLE part (
    p_partkey     INT,
    p_name        VARCHAR(55),
    p_mfgr        VARCHAR(25),
    p_brand       VARCHAR(10),
    p_type        VARCHAR(25),
    p_size        INT,
    p_container   VARCHAR(10),
    p_retailprice DECIMAL(15, 2),
    p_comment     VARCHAR(23)
) WITH ('connector' = 'filesystem', 'path' = '${DIR}/part.csv', 'format' = 'csv');

CREATE TABLE supplier (
    s_suppkey     INT,
    s_name        VARCHAR(25),
    s_address     VARCHAR(40),
    s_nationkey   INT,
    s_phone       VARCHAR(15),
    s_acctbal     DECIMAL(15, 2),
    s_comment     VARCHAR(101)
) WITH ('connector' = 'filesystem', 'path' = '${DIR}/supplier.csv', 'format' = 'csv');

CREATE TABLE partsupp (
    ps_partkey    INT,
    ps_suppkey    INT,
    ps_availqty   INT,
    ps_supplycost DECIMAL(15, 2),
    ps_comment    VARCHAR(199)
) WITH ('connector' = 'filesystem', 'path' = '${DIR}/partsupp.csv', 'format' = 'csv');

CREATE TABLE customer (
    c_custkey     INT,
    c_name        VARCHAR(25),
    c_address     VARCHAR(40),
    c_nationkey   INT,
    c_phone       VARCHAR(15),
    c_acctbal     DECIMAL(15, 2),
    c_mktsegment  VARCHAR(10),
    c_comment     VARCHAR(117)
) WITH ('connector' = 'filesystem', 'path' = '${DIR}/customer.csv', 'format' = 'csv');

CREATE TABLE orders (
    o_orderkey      BIGINT,
    o_custkey       INT,
    o_orderstatus   VARCHAR(1),
    o_totalprice    DECIMAL(15, 2),
    o_orderdate     DATE,
    o_orderpriority VARCHAR(15),
    o_clerk         VARCHAR(15),
    o_shippriority  INT,
    o_comment       VARCHAR(79)
) WITH ('connector' = 'filesystem', 'path' = '${DIR}/orders.csv', 'format' = 'csv');

CREATE TABLE lineitem (
    l_orderkey      BIGINT,
    l_partkey       INT,
    l_suppkey       INT,
    l_linenumber    INT,
    l_quantity      DECIMAL(15, 2),
    l_extendedprice DECIMAL(15, 2),
    l_discount      DECIMAL(15, 2),
    l_tax           DECIMAL(15, 2),
    l_returnflag    VARCHAR(1),
    l_linestatus    VARCHAR(1),
    l_shipdate      DATE,
    l_commitdate    DATE,
    l_receiptdate   DATE,
    l_shipinstruct  VARCHAR(25),
    l_shipmode      VARCHAR(10),
    l_comment       VARCHAR(44)
) WITH ('connector' = 'filesystem', 'path' = '${DIR}/lineitem.csv', 'format' = 'csv');

CREATE TABLE nation (
    n_nationkey   INT,
    n_name        VARCHAR(25),
    n_regionkey   INT,
    n_comment     VARCHAR(152)
) WITH ('connector' = 'filesystem', 'path' = '${DIR}/nation.csv', 'format' = 'csv');

CREATE TABLE region (
    r_regionkey   INT,
    r_name        VARCHAR(25),
    r_comment     VARCHAR(152)
) WITH ('connector' = 'filesystem', 'path' = '${DIR}/region.csv', 'format' = 'csv');
