// NL001 ground truth: what a Node client's default does, with no ssl option at all, against the
// TLS-only server / pooler.  node connect.js <node_modules dir> <pg|postgres> <port> <db>
// Prints one JSON line {connected, ssl, error}. Credentials from the GT_* environment; no URL printed.
'use strict';
const [modules, client, port, db] = process.argv.slice(2);
const c = { host: '127.0.0.1', port: Number(port), user: process.env.GT_PG_USER, password: process.env.GT_PG_PASSWORD, database: db };
const Q = 'SELECT coalesce((SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()), true) AS ssl';
async function main() {
  try {
    if (client === 'pg') {
      const pg = require(modules + '/pg');
      const cl = new pg.Client(c);
      await cl.connect();
      const r = await cl.query(Q);
      await cl.end();
      return { connected: true, ssl: r.rows[0].ssl, error: '' };
    }
    const postgres = require(modules + '/postgres');
    const sql = postgres({ ...c, username: c.user, max: 1, connect_timeout: 5, onnotice: () => {} });
    try {
      const r = await sql.unsafe(Q);
      return { connected: true, ssl: r[0].ssl, error: '' };
    } finally {
      await sql.end({ timeout: 2 });
    }
  } catch (e) {
    return { connected: false, ssl: null, error: `${e.constructor.name}: ${String(e.message).split('\n')[0]}` };
  }
}
main().then((r) => process.stdout.write(JSON.stringify(r) + '\n'));
