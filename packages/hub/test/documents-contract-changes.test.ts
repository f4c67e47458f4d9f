// Updates made only of `inc` are checked where they changed the document once the document has passed its whole
// contract: the refusals are the same as a whole check's, and a reloaded contract checks the whole document again.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useHub } from '../../../test/support/hub-fixture.js';
import { contractsDir, post } from '../../../test/support/reload-contracts.js';
import { fixture } from './fixtures/delivery-support.js';

/** A Q&A document contract: at most `maxVotes` votes per question, and a voter's mark at most 1. */
function qaContract(maxVotes: number): string {
  return `asyncapi: 3.0.0
info: { title: qa, version: 1.0.0 }
channels:
  qa:
    address: 'doc:qa/{session}'
    messages:
      document:
        payload:
          type: object
          additionalProperties: false
          required: [questions]
          properties:
            questions:
              type: object
              propertyNames: { pattern: '^[a-z0-9]{1,8}$' }
              additionalProperties:
                type: object
                required: [votes, voters]
                properties:
                  votes: { type: integer, minimum: 0, maximum: ${maxVotes} }
                  voters: { type: object, maxProperties: 3, additionalProperties: { type: integer, minimum: 0, maximum: 1 } }
`;
}

const vote = (q: string, voter: string) => [
  { op: 'inc', path: `/questions/${q}/votes`, value: 1 },
  { op: 'inc', path: `/questions/${q}/voters/${voter}`, value: 1 },
];

describe('document contracts: updates made of inc', () => {
  const contracts = contractsDir();
  contracts.write(qaContract(10));
  const fx = useHub({ contracts: contracts.dir });

  it('refuses a second vote, a fourth voter and a bad key with the words of the whole check, and changes nothing', async () => {
    const c = await fx.connect('qa-ui');
    let r = await c.call({ op: 'doc.update', id: 1, doc: 'qa/1', ops: [{ op: 'add', path: '', value: { questions: { q1: { votes: 0, voters: {} } } } }] });
    assert.equal(r.op, 'ok', JSON.stringify(r));
    for (const [i, voter] of ['a1', 'a2', 'a3'].entries()) {
      r = await c.call({ op: 'doc.update', id: 10 + i, doc: 'qa/1', ops: vote('q1', voter) });
      assert.equal(r.op, 'ok', JSON.stringify(r));
    }
    r = await c.call({ op: 'doc.update', id: 20, doc: 'qa/1', ops: vote('q1', 'a1') });
    assert.equal(r.code, 'CONTRACT_VIOLATION');
    assert.deepEqual(r.details, [{ path: '/questions/q1/voters/a1', rule: 'maximum', expected: 1, message: '/questions/q1/voters/a1 must be <= 1 (got 2)' }]);
    r = await c.call({ op: 'doc.update', id: 21, doc: 'qa/1', ops: vote('q1', 'a4') });
    assert.equal(r.code, 'CONTRACT_VIOLATION');
    assert.deepEqual(r.details, [
      { path: '/questions/q1/voters', rule: 'maxProperties', expected: 3, message: '/questions/q1/voters must have at most 3 properties (got 4)' },
    ]);
    r = await c.call({ op: 'doc.update', id: 22, doc: 'qa/1', ops: [{ op: 'inc', path: '/questions/Q_1', value: 1 }] });
    assert.equal(r.code, 'CONTRACT_VIOLATION');
    assert.ok(
      (r.details as Array<{ rule: string }>).some((d) => d.rule === 'pattern'),
      JSON.stringify(r.details),
    );
    const doc = (await (await fetch(`${fx.hub.url}/v1/docs/qa/1`)).json()) as { version: number; value: unknown };
    assert.deepEqual(doc, { version: 4, value: { questions: { q1: { votes: 3, voters: { a1: 1, a2: 1, a3: 1 } } } } });
  });

  it('after a reload that tightens the contract, the next inc is judged on the whole document', async () => {
    const c = await fx.connect('qa-ui');
    let r = await c.call({
      op: 'doc.update',
      id: 1,
      doc: 'qa/2',
      ops: [{ op: 'add', path: '', value: { questions: { q1: { votes: 0, voters: {} }, q2: { votes: 5, voters: {} } } } }],
    });
    assert.equal(r.op, 'ok', JSON.stringify(r));
    r = await c.call({ op: 'doc.update', id: 2, doc: 'qa/2', ops: vote('q1', 'a1') });
    assert.equal(r.op, 'ok', JSON.stringify(r));
    // The new contract allows 4 votes a question: q2 (5 votes) breaks it, though a vote on q1 does not touch q2.
    contracts.write(qaContract(4));
    assert.equal((await post(fx.hub.url, '/v1/contracts/reload')).status, 200);
    r = await c.call({ op: 'doc.update', id: 3, doc: 'qa/2', ops: vote('q1', 'a2') });
    assert.equal(r.code, 'CONTRACT_VIOLATION', JSON.stringify(r));
    assert.deepEqual(
      (r.details as Array<{ path: string }>).map((d) => d.path),
      ['/questions/q2/votes'],
    );
    // Once the document is made to pass again, votes are accepted.
    r = await c.call({ op: 'doc.update', id: 4, doc: 'qa/2', ops: [{ op: 'replace', path: '/questions/q2/votes', value: 4 }] });
    assert.equal(r.op, 'ok', JSON.stringify(r));
    r = await c.call({ op: 'doc.update', id: 5, doc: 'qa/2', ops: vote('q1', 'a2') });
    assert.equal(r.op, 'ok', JSON.stringify(r));
  });
});

describe('document contracts: an update refused after passing the contract', () => {
  const contracts = contractsDir();
  contracts.write(qaContract(10));
  const fx = useHub({ contracts: contracts.dir, config: fixture('doc-limits.yaml') });

  it('does not let the next inc skip the whole check of a stored value that breaks a reloaded contract', async () => {
    const c = await fx.connect('qa-ui');
    const doc = { questions: { q1: { votes: 0, voters: {} }, q2: { votes: 5, voters: {} } } };
    let r = await c.call({ op: 'doc.update', id: 1, doc: 'qa/9', ops: [{ op: 'add', path: '', value: doc }] });
    assert.equal(r.op, 'ok', JSON.stringify(r));
    contracts.write(qaContract(4));
    assert.equal((await post(fx.hub.url, '/v1/contracts/reload')).status, 200);
    // A replacement that passes the new contract but is over max_doc_bytes (1000): refused, the stored value stays.
    const big = { questions: Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`q${i}`, { votes: 0, voters: {} }])) };
    r = await c.call({ op: 'doc.update', id: 2, doc: 'qa/9', ops: [{ op: 'replace', path: '', value: big }] });
    assert.equal(r.code, 'TOO_LARGE', JSON.stringify(r));
    r = await c.call({ op: 'doc.update', id: 3, doc: 'qa/9', ops: vote('q1', 'a1') });
    assert.equal(r.code, 'CONTRACT_VIOLATION', 'the stored q2 (5 votes) breaks the new contract');
    assert.deepEqual(
      (r.details as Array<{ path: string }>).map((d) => d.path),
      ['/questions/q2/votes'],
    );
  });
});
