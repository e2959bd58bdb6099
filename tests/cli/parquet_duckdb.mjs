// parquet_duckdb.mjs - DuckDB's side of tests/cli/test_parquet_duckdb.sh,
// through @duckdb/node-api (bench/node_modules).
//
//   node parquet_duckdb.mjs exec SQL...
//       runs the statements (DuckDB writes Parquet files with COPY)
//   node parquet_duckdb.mjs render TYPES SQL
//       runs the query and prints its rows as weir's CSV output would
//       print them (weir's value text: TRUE/FALSE, DECIMAL with exactly s
//       digits, DOUBLE in Java's Double.toString style, TIMESTAMP(p) with
//       exactly p digits, INTERVAL as +D HH:MM:SS.fff / +Y-MM, NULL as an
//       empty field, an empty string as ""), from DuckDB's raw values
//       (micros, days, months, unscaled decimals, blob bytes), so that the
//       shell compares bytes.  TYPES: weir's column types, comma-separated
//       (BOOLEAN INT BIGINT DECIMAL(p,s) DOUBLE STRING BYTES DATE TIME(p)
//       TIMESTAMP(p) TIMESTAMP_LTZ(p) INTERVAL_DT INTERVAL_YM).
// Output bytes go to stdout as latin1 so that blob bytes pass unchanged.
// The package lives in bench/node_modules (bench/package.json); resolve it
// from there, whatever the current directory.
import { createRequire } from 'node:module';
const require = createRequire(new URL('../../bench/package.json', import.meta.url));
const { DuckDBInstance } = require('@duckdb/node-api');

const pad = (n, w) => String(n).padStart(w, '0');

function civil(days) {
  // days since 1970-01-01 -> [y, m, d] (proleptic Gregorian)
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  let y = yoe + era * 400;
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  if (m <= 2) y += 1;
  return [y, m, d];
}

const date = (days) => {
  const [y, m, d] = civil(days);
  return `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`;
};

function timestamp(micros, p) {
  micros = BigInt(micros);
  let days = micros / 86400000000n;
  let rem = micros % 86400000000n;
  if (rem < 0n) { rem += 86400000000n; days -= 1n; }
  const us = Number(rem);
  const s = Math.floor(us / 1e6);
  let text = `${date(Number(days))} ${pad(Math.floor(s / 3600), 2)}:${pad(Math.floor(s / 60) % 60, 2)}:${pad(s % 60, 2)}`;
  if (p > 0) text += '.' + pad(us % 1e6, 6).slice(0, p);
  return text;
}

function time(micros, p) {
  const ms = Math.floor(Number(micros) / 1000);
  const s = Math.floor(ms / 1000);
  let text = `${pad(Math.floor(s / 3600), 2)}:${pad(Math.floor(s / 60) % 60, 2)}:${pad(s % 60, 2)}`;
  if (p > 0) text += '.' + pad(ms % 1000, 3).slice(0, Math.min(p, 3));
  return text;
}

function decimal(unscaled, scale) {
  let v = BigInt(unscaled);
  const neg = v < 0n;
  if (neg) v = -v;
  let digits = v.toString();
  if (scale > 0) {
    digits = digits.padStart(scale + 1, '0');
    digits = digits.slice(0, digits.length - scale) + '.' + digits.slice(digits.length - scale);
  }
  return (neg ? '-' : '') + digits;
}

function double(d) {
  if (Number.isNaN(d)) return 'NaN';
  if (d === Infinity) return 'Infinity';
  if (d === -Infinity) return '-Infinity';
  if (d === 0) return Object.is(d, -0) ? '-0.0' : '0.0';
  const mag = Math.abs(d);
  if (mag >= 1e-3 && mag < 1e7) {
    const s = String(d);
    return s.includes('.') ? s : s + '.0';
  }
  let [m, e] = d.toExponential().split('e');
  if (!m.includes('.')) m += '.0';
  return `${m}E${e.startsWith('+') ? e.slice(1) : e}`;
}

function intervalDt(iv) {
  if (iv.months !== 0) throw new Error(`INTERVAL with months ${iv.months} for DAY TO SECOND`);
  const ms = BigInt(iv.days) * 86400000n + BigInt(iv.micros) / 1000n;
  const mag = ms < 0n ? -ms : ms;
  const days = mag / 86400000n, rem = Number(mag % 86400000n);
  return `${ms < 0n ? '-' : '+'}${days} ${pad(Math.floor(rem / 3600000), 2)}:${pad(Math.floor(rem / 60000) % 60, 2)}:` +
    `${pad(Math.floor(rem / 1000) % 60, 2)}.${pad(rem % 1000, 3)}`;
}

function intervalYm(iv) {
  if (iv.days !== 0 || BigInt(iv.micros) !== 0n) throw new Error('INTERVAL with days or time for YEAR TO MONTH');
  const m = iv.months, mag = Math.abs(m);
  return `${m < 0 ? '-' : '+'}${Math.floor(mag / 12)}-${pad(mag % 12, 2)}`;
}

// weir's CSV quoting: quoted when empty or holding , " CR LF
function csvField(bytes) {
  if (bytes.length === 0) return '""';
  const s = bytes.toString('latin1');
  if (/[",\r\n]/.test(s)) return '"' + s.replaceAll('"', '""') + '"';
  return s;
}

function render(type, v) {
  if (v === null || v === undefined) return '';
  const t = type.toUpperCase();
  const prec = () => Number((t.match(/\((\d+)/) || [0, 0])[1]);
  if (t === 'BOOLEAN') return v ? 'TRUE' : 'FALSE';
  if (t === 'INT' || t === 'BIGINT') return String(v);
  if (t.startsWith('DECIMAL')) return decimal(v.value, v.scale);
  if (t === 'DOUBLE') return double(v);
  if (t === 'STRING') return csvField(Buffer.from(String(v), 'utf8'));
  if (t === 'BYTES') return csvField(Buffer.from(v.bytes));
  if (t === 'DATE') return date(v.days);
  if (t.startsWith('TIMESTAMP')) {
    // TIMESTAMP_MS / _NS values carry millis / nanos (weir floors nanos)
    let micros;
    if (v.micros !== undefined) micros = BigInt(v.micros);
    else if (v.millis !== undefined) micros = BigInt(v.millis) * 1000n;
    else {
      const ns = BigInt(v.nanos);
      micros = ns / 1000n - (ns % 1000n < 0n ? 1n : 0n);
    }
    return timestamp(micros, prec());
  }
  if (t.startsWith('TIME')) return time(v.micros, prec());
  if (t === 'INTERVAL_DT') return intervalDt(v);
  if (t === 'INTERVAL_YM') return intervalYm(v);
  throw new Error(`unknown type ${type}`);
}

async function main() {
  const [cmd, ...rest] = process.argv.slice(2);
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  await conn.run("SET TimeZone = 'UTC'");
  if (cmd === 'exec') {
    for (const sql of rest) await conn.run(sql);
  } else if (cmd === 'render') {
    const types = rest[0].split(/,(?![^(]*\))/).map((s) => s.trim());
    const reader = await conn.runAndReadAll(rest[1]);
    const names = reader.columnNames();
    const out = [names.join(',')];
    for (const row of reader.getRows()) {
      if (row.length !== types.length) throw new Error(`${row.length} columns for ${types.length} types`);
      out.push(row.map((v, i) => render(types[i], v)).join(','));
    }
    process.stdout.write(Buffer.from(out.join('\n') + '\n', 'latin1'));
  } else {
    throw new Error(`unknown command ${cmd}`);
  }
  conn.closeSync();
  instance.closeSync();
}

main().catch((err) => {
  console.error(`parquet_duckdb: ${err.message}`);
  process.exit(1);
});
