// `/readyz` says ready only when an append would succeed: the SQLite store's ping is a committed write, not a
// `SELECT 1`. Here another process's connection holds the database's write lock — a real state in which every
// append fails with UNAVAILABLE after the busy timeout while reads (and a `SELECT 1`) still answer at once.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { useHub } from '../../../test/support/hub-fixture.js';

describe('/readyz follows whether the store takes writes', () => {
  const fx = useHub();

  it('503 while another connection holds the write lock (appends fail), 200 again once it is released', async () => {
    const publish = () =>
      fetch(`${fx.hub.url}/v1/channels/ready.check/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ type: 't', data: { n: 1 } }),
      });
    assert.equal((await publish()).status, 201);
    assert.equal((await fetch(`${fx.hub.url}/readyz`)).status, 200);

    const other = new Database(join(fx.hub.dataDir, 'switchboard.db'));
    try {
      other.exec('BEGIN IMMEDIATE');
      assert.equal((other.prepare('SELECT 1 AS one').get() as { one: number }).one, 1, 'a read still answers: a SELECT 1 ping would say ready');
      const refused = await publish();
      assert.equal(refused.status, 503, 'appends fail while the lock is held');
      const ready = await fetch(`${fx.hub.url}/readyz`);
      const body = (await ready.json()) as { status: string; code: string; message: string };
      assert.equal(ready.status, 503);
      assert.equal(body.status, 'not ready');
      assert.equal(body.code, 'UNAVAILABLE');
      assert.match(body.message, /SQLITE_BUSY/);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    assert.equal((await fetch(`${fx.hub.url}/readyz`)).status, 200);
    assert.equal((await publish()).status, 201);
  });
});
