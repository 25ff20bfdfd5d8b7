// NL010 ground truth for the Node drivers: node-postgres (`pg`) and postgres.js through a pooler.
//
//   node nl010.js <node_modules dir> <client> <config> <port> <alias>
//
// client/config: pg default | pg named; postgres default | postgres prepare-false.
// 16 concurrent clients on a 16-connection pool, 40 checked queries each, every client with its own
// statement text (`SELECT $1::int4 + k`). Prints one JSON line: {ok, wrong, errors: {msg: n},
// first_wrong}. Credentials come from the GT_* environment; no URL is printed.
'use strict';
const fs = require('fs');
const [modules, client, config, port, alias] = process.argv.slice(2);
const TASKS = 16, ITERS = 40;
const env = (n) => { const v = process.env[n]; if (!v) throw new Error(`${n} is not set`); return v; };
const ca = fs.readFileSync(env('GT_CA_FILE'));
const conn = { host: '127.0.0.1', port: Number(port), user: env('GT_PG_USER'), password: env('GT_PG_PASSWORD'), database: alias };

function tagged(k) {
  // What a tagged template `SELECT ${i}::int4 + <k>` passes, with k baked into the text.
  const parts = ['SELECT ', `::int4 + ${k}`];
  return Object.assign(parts, { raw: parts.slice() });
}

async function main() {
  let query, close;
  if (client === 'pg') {
    const pg = require(modules + '/pg');
    const pool = new pg.Pool({ ...conn, ssl: { ca }, max: TASKS });
    query = async (k, i) => {
      const text = `SELECT $1::int4 + ${k}`;
      const q = config === 'named' ? { name: `gt_q${k}`, text, values: [i] } : { text, values: [i] };
      return (await pool.query(q)).rows[0]['?column?'];
    };
    close = () => pool.end();
  } else {
    const postgres = require(modules + '/postgres');
    const opts = { ...conn, username: conn.user, ssl: { ca }, max: TASKS, onnotice: () => {} };
    if (config === 'prepare-false') opts.prepare = false;
    const sql = postgres(opts);
    const strings = [...Array(8).keys()].map(tagged);
    query = async (k, i) => (await sql(strings[k], i))[0]['?column?'];
    close = () => sql.end({ timeout: 5 });
  }
  const t = { ok: 0, wrong: 0, errors: {}, first_wrong: null };
  await Promise.all([...Array(TASKS).keys()].map(async (c) => {
    const k = c % 8;
    for (let i = 0; i < ITERS; i++) {
      try {
        const v = Number(await query(k, i));
        if (v === i + k) t.ok++;
        else {
          t.wrong++;
          if (!t.first_wrong) t.first_wrong = `\`SELECT $1::int4 + ${k}\` with $1 = ${i} returned ${v}`;
        }
      } catch (e) {
        const key = `${e.constructor.name}: ${String(e.message).split('\n')[0]}`;
        t.errors[key] = (t.errors[key] || 0) + 1;
      }
    }
  }));
  await close();
  process.stdout.write(JSON.stringify(t) + '\n');
}
main().catch((e) => { process.stderr.write(String(e && e.stack || e) + '\n'); process.exit(1); });
