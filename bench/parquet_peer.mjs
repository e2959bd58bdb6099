// parquet_peer.mjs - runs one query in DuckDB (@duckdb/node-api) and prints
// one JSON line: wall seconds, CPU seconds of the process during the query,
// and the result row, for bench/parquet_scan.sh to set beside weir's.
//
// usage: node parquet_peer.mjs --threads N --sql 'SELECT ...'
import { DuckDBInstance } from '@duckdb/node-api';

const args = { threads: 1, sql: null };
for (let i = 2; i < process.argv.length; i += 2) {
  if (process.argv[i] === '--threads') args.threads = Number(process.argv[i + 1]);
  else if (process.argv[i] === '--sql') args.sql = process.argv[i + 1];
  else throw new Error(`unknown flag ${process.argv[i]}`);
}
const instance = await DuckDBInstance.create(':memory:', { threads: String(args.threads) });
const conn = await instance.connect();
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const reader = await conn.runAndReadAll(args.sql);
const seconds = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
const row = reader.getRows()[0].map(String);
console.log(JSON.stringify({
  engine: 'duckdb', threads: args.threads, seconds: Number(seconds.toFixed(3)),
  cpu_seconds: Number(((cpu.user + cpu.system) / 1e6).toFixed(3)), row,
}));
conn.closeSync();
instance.closeSync();
