/**
 * Switchboard's shared documents for the `doc` scenario, over the raw v1 protocol: `doc.sub` per connection,
 * `doc.update` with one `inc` per vote, `GET /v1/docs/{doc}` for the final count.
 *
 * The send time of an update is matched to the patches it causes by `by` (the updater's component id, `voter-<i>`):
 * the hub applies the updates of one connection to a document in the order it sent them and forwards the patches
 * of a document in version order, so the k-th patch by `voter-i` a subscriber receives is `voter-i`'s k-th update.
 */
import type { DocPatchFrame, RawConn, Reply } from './raw-conn.js';
import type { DocClient, DocumentCapability, OnDocChange } from './types.js';

/**
 * The document capability of one Switchboard session. `open` opens a v1 connection that said hello as
 * `component` (and is closed with the session).
 */
export function switchboardDocuments(port: number, open: (component: string) => Promise<RawConn>, onErr: (e: string) => void): DocumentCapability {
  /** per writer: the send time of each of its updates, in the order sent */
  const sendTimes: number[][] = [];
  let unmatched = 0;
  const refused = (r: Reply) => (r.op === 'ok' ? undefined : `${r.code}: ${r.message}`);
  return {
    async init(doc, questions) {
      const c = await open('doc-init');
      const value = { questions: Object.fromEntries(questions.map((q) => [q, { votes: 0 }])) };
      const r = await c.request({ op: 'doc.update', doc, ops: [{ op: 'add', path: '', value }] });
      if (r.op !== 'ok') throw new Error(`creating ${doc} refused: ${JSON.stringify(r)}`);
    },
    async open(doc: string, index: number, onChange: OnDocChange): Promise<DocClient> {
      const c = await open(`voter-${index}`);
      const mine: number[] = (sendTimes[index] = []);
      /** per writer: how many of its patches this connection received */
      const seen: number[] = [];
      c.onPatch = (p: DocPatchFrame) => {
        const w = p.by.startsWith('voter-') ? Number(p.by.slice(6)) : -1;
        const k = seen[w] ?? 0;
        const t = sendTimes[w]?.[k];
        if (t === undefined) {
          unmatched++;
          return;
        }
        seen[w] = k + 1;
        onChange(p.version, t);
      };
      const r = await c.request({ op: 'doc.sub', doc });
      if (r.op !== 'ok') throw new Error(`doc.sub refused: ${JSON.stringify(r)}`);
      const prefix = `{"op":"doc.update","doc":${JSON.stringify(doc)},"ops":[{"op":"inc","path":"/questions/`;
      return {
        vote(question, t, done) {
          mine.push(t);
          c.requestCb(`${prefix}${question}/votes","value":1}],"id":${c.id}}`, (reply) => {
            const err = refused(reply);
            if (err) onErr(err);
            done(err);
          });
        },
        close: () => c.close(),
      };
    },
    async totalVotes(doc) {
      const res = await fetch(`http://127.0.0.1:${port}/v1/docs/${encodeURIComponent(doc)}`);
      if (!res.ok) throw new Error(`GET /v1/docs/${doc}: ${res.status} ${await res.text()}`);
      const body = (await res.json()) as { value: { questions: Record<string, { votes: number }> } };
      return Object.values(body.value.questions).reduce((sum, q) => sum + q.votes, 0);
    },
    counters: () => ({ patches_without_update: unmatched }),
  };
}
