/**
 * The shared document as a team would build it on NATS JetStream KV (official `@nats-io/kv`): the whole document
 * is the value of one key; a vote reads it (`get`), adds 1 and writes it back with compare-and-set (`update` with
 * the revision read), and on "wrong last sequence" (another writer came first) reads and tries again. Every
 * connection watches the key (`watch`, updates only) for propagation.
 *
 * The value is `{"t":<send time µs of the vote that wrote it>,"questions":{…}}`: `t` first, so that a watcher
 * reads it from the head of the value without parsing the whole document.
 */
import type { NatsConnection } from '@nats-io/transport-node';
import { Kvm, KvWatchInclude, type KV } from '@nats-io/kv';
import type { DocClient, DocumentCapability, OnDocChange } from './types.js';

const BUCKET = 'docs';
/** Attempts of one vote before it gives up (the hub's documents allow as many). */
const MAX_ATTEMPTS = 200;

interface DocValue {
  t: number;
  questions: Record<string, { votes: number }>;
}

/** KV keys are subject tokens: `qa/bench` becomes `qa.bench`. */
const keyOf = (doc: string) => doc.replace(/\//g, '.');

/** The document capability of one JetStream session; `open` opens a NATS connection closed with the session. */
export function natsKvDocuments(open: () => Promise<NatsConnection>, onErr: (e: string) => void): DocumentCapability {
  let retries = 0;
  let gaveUp = 0;
  const dec = new TextDecoder();
  const bucket = async (create = false): Promise<KV> => {
    const kvm = new Kvm(await open());
    return create ? kvm.create(BUCKET, { history: 1 }) : kvm.open(BUCKET);
  };
  return {
    async init(doc, questions) {
      const kv = await bucket(true);
      const value: DocValue = { t: 0, questions: Object.fromEntries(questions.map((q) => [q, { votes: 0 }])) };
      await kv.put(keyOf(doc), JSON.stringify(value));
    },
    async open(doc: string, _index: number, onChange: OnDocChange): Promise<DocClient> {
      const kv = await bucket();
      const key = keyOf(doc);
      const watch = await kv.watch({ key, include: KvWatchInclude.UpdatesOnly });
      void (async () => {
        for await (const e of watch) {
          const m = /^\{"t":(\d+)/.exec(dec.decode(e.value.subarray(0, 32)));
          if (m) onChange(e.revision, Number(m[1]));
        }
      })().catch((err: unknown) => onErr(`watch: ${String(err)}`));
      const vote = async (question: string, t: number): Promise<void> => {
        for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
          const e = await kv.get(key);
          if (!e) throw new Error(`no document ${doc}`);
          const value = e.json<DocValue>();
          const q = value.questions[question];
          if (!q) throw new Error(`no question ${question} in document ${doc}`);
          q.votes += 1;
          value.t = t;
          try {
            await kv.update(key, JSON.stringify(value), e.revision);
            return;
          } catch (err) {
            if (!/wrong last sequence/i.test(String(err))) throw err;
            retries++;
          }
        }
        gaveUp++;
        throw new Error(`vote gave up after ${MAX_ATTEMPTS} compare-and-set attempts`);
      };
      return {
        vote(question, t, done) {
          vote(question, t).then(
            () => done(),
            (err: unknown) => {
              const text = String(err);
              onErr(text);
              done(text);
            },
          );
        },
        close: async () => {
          watch.stop();
        },
      };
    },
    async totalVotes(doc) {
      const kv = await bucket();
      const e = await kv.get(keyOf(doc));
      if (!e) throw new Error(`no document ${doc}`);
      return Object.values(e.json<DocValue>().questions).reduce((sum, q) => sum + q.votes, 0);
    },
    counters: () => ({ cas_retries: retries, votes_given_up: gaveUp }),
  };
}
