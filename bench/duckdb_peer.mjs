// duckdb_peer.mjs - runs the GROUP BY benchmark's queries in DuckDB (through
// @duckdb/node-api) on the same CSV weir reads, and prints one JSON line with
// wall time, CPU time, peak RSS and the checksums, for bench/run.sh to compare.
//
// usage: node duckdb_peer.mjs --csv FILE --query full|checksum|table-checksum
//                             [--threads N]   (N = 0: DuckDB's default)
//                             [--value-type T] (v's SQL type, default BIGINT;
//                             DECIMAL(38, 2) for the 128-bit SUM row)
//   full            SELECT k, COUNT(*), SUM(v) GROUP BY k over read_csv, all
//                   1M result rows written as CSV to /dev/null (what weir's
//                   `--format csv > /dev/null` does)
//   checksum        the same aggregate wrapped in COUNT(*), SUM(c), SUM(s), so
//                   output costs nothing
//   table-checksum  the CSV is first loaded into an in-memory table (not
//                   timed), then the checksum query runs on it: aggregation
//                   alone, the peer of bench/agg_bench in batch mode
// One process per run, so that maxRSS belongs to that run alone.
import { DuckDBInstance } from '@duckdb/node-api';

function parseArgs(argv) {
  const args = { threads: 0, query: 'checksum', csv: null, valueType: 'BIGINT' };
  for (let i = 2; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (value === undefined) throw new Error(`missing value for ${flag}`);
    if (flag === '--csv') args.csv = value;
    else if (flag === '--query') args.query = value;
    else if (flag === '--threads') args.threads = Number(value);
    else if (flag === '--value-type') args.valueType = value;
    else throw new Error(`unknown flag ${flag}`);
    i++;
  }
  if (!args.csv) throw new Error('--csv FILE is required');
  return args;
}

// SQL string literal: the path is ours, but quote it properly anyway.
const lit = (text) => `'${text.replaceAll("'", "''")}'`;

async function main() {
  const args = parseArgs(process.argv);
  const rssBeforeKb = process.resourceUsage().maxRSS;
  const options = args.threads > 0 ? { threads: String(args.threads) } : {};
  const instance = await DuckDBInstance.create(':memory:', options);
  const conn = await instance.connect();
  const threadsReader = await conn.runAndReadAll("SELECT current_setting('threads')");
  const threads = Number(threadsReader.getRows()[0][0]);

  const source = `read_csv(${lit(args.csv)}, header = false, ` +
    `columns = {'k': 'BIGINT', 'v': ${lit(args.valueType)}})`;
  const inner = (from) => `SELECT k, COUNT(*) AS c, SUM(v) AS s FROM ${from} GROUP BY k`;
  const wrap = (from) =>
    `SELECT COUNT(*) AS groups, SUM(c) AS sum_c, SUM(s) AS sum_s FROM (${inner(from)})`;

  let timedSql;
  if (args.query === 'full') {
    timedSql = `COPY (${inner(source)}) TO '/dev/null' (FORMAT csv, HEADER, USE_TMP_FILE false)`;
  } else if (args.query === 'checksum') {
    timedSql = wrap(source);
  } else if (args.query === 'table-checksum') {
    await conn.run(`CREATE TABLE t AS SELECT * FROM ${source}`);
    timedSql = wrap('t');
  } else {
    throw new Error(`unknown query ${args.query}`);
  }

  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const reader = await conn.runAndReadAll(timedSql);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const rows = reader.getRows();
  const maxRssKb = process.resourceUsage().maxRSS;   // before the check below

  // The checksum of the full query is computed separately (untimed) so the
  // harness can check every variant against the generator's expectation.
  let checksum;
  if (args.query === 'full') {
    const check = await conn.runAndReadAll(wrap(source));
    checksum = check.getRows()[0].map(String);
  } else {
    checksum = rows[0].map(String);
  }
  const report = {
    engine: 'duckdb',
    query: args.query,
    value_type: args.valueType,
    threads,
    seconds: Number(seconds.toFixed(3)),
    cpu_seconds: Number(((cpu.user + cpu.system) / 1e6).toFixed(3)),
    max_rss_kb: maxRssKb,
    node_baseline_rss_kb: rssBeforeKb,
    groups: checksum[0],
    sum_c: checksum[1],
    sum_s: checksum[2],
  };
  conn.closeSync();
  instance.closeSync();
  console.log(JSON.stringify(report));
}

main().catch((err) => {
  console.error(`duckdb_peer: ${err.message}`);
  process.exit(1);
});
