// duckdb_tpch.mjs DIR SCHEMA QUERY THREADS OUT: runs one TPC-H query in
// DuckDB over the same CSV files weir reads (read_csv views with the
// schema's column types) and writes its rows to OUT as CSV; prints the
// CPU seconds of the query (process.cpuUsage around it).
import { DuckDBInstance } from '@duckdb/node-api';
import fs from 'fs';
const [dir, schemaFile, qfile, threads, out] = process.argv.slice(2);
const schema = fs.readFileSync(schemaFile, 'utf8').replace(/--.*$/mg, '');
const inst = await DuckDBInstance.create(':memory:', threads === '0' ? {} : { threads });
const con = await inst.connect();
for (const m of schema.matchAll(/CREATE TABLE (\w+) \(([\s\S]*?)\)\s*WITH/g)) {
  const cols = m[2].split(/,\s*\n/).map(l => l.trim()).filter(l => l).map(l => {
    const [n, ...t] = l.split(/\s+/); return `'${n}': '${t.join(' ').replace(/,\s*$/, '')}'`; });
  await con.run(`CREATE VIEW ${m[1]} AS SELECT * FROM read_csv('${dir}/${m[1]}.csv', ` +
                `header=false, quote='"', columns={${cols.join(',')}})`);
}
const stmts = fs.readFileSync(qfile, 'utf8').replace(/--.*$/mg, '').split(';')
  .map(s => s.trim()).filter(s => s);
const t0 = process.cpuUsage();
let result = null;
for (const s of stmts) { const r = await con.runAndReadAll(s); if (/^select/i.test(s)) result = r; }
const t1 = process.cpuUsage(t0);
const fmt = v => v === null ? '' : v instanceof Date ? v.toISOString().slice(0, 10)
  : typeof v === 'object' && 'days' in v ? new Date(v.days * 86400000).toISOString().slice(0, 10)
  : String(v);
const lines = result ? result.getRowsJS().map(r => r.map(fmt).join('\t')) : [];
fs.writeFileSync(out, lines.join('\n') + (lines.length ? '\n' : ''));
console.log(((t1.user + t1.system) / 1e6).toFixed(3));
