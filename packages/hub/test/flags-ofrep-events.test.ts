// The OFREP event stream: a bulk evaluation names it (eventStreams), and each change of a flag — made on this node
// through a document update — sends a refetchEvaluation event on it (Server-Sent Events), so an OFREP client
// evaluates again at once instead of at its next poll.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from '@switchboard/client';
import { useHub } from '../../../test/support/hub-fixture.js';
import { waitFor } from '../../../test/support/util.js';

describe('OFREP event stream', () => {
  const fx = useHub();

  it('announces each flag change to the listening clients', async () => {
    const bulk = await fetch(`${fx.hub.url}/ofrep/v1/evaluate/flags`, { method: 'POST', body: '{"context":{}}' });
    const { eventStreams } = (await bulk.json()) as { eventStreams: { type: string; endpoint: { requestUri: string } }[] };
    assert.deepEqual(eventStreams, [{ type: 'sse', endpoint: { requestUri: '/ofrep/v1/events' } }]);

    const abort = new AbortController();
    const res = await fetch(fx.hub.url + eventStreams[0]!.endpoint.requestUri, { signal: abort.signal });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/event-stream');
    let text = '';
    const reading = (async () => {
      const decoder = new TextDecoder();
      const reader = res.body!.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        text += decoder.decode(value, { stream: true });
      }
    })().catch(() => undefined);

    const editor = await connect({ url: fx.hub.wsUrl, component: 'flag-editor', reconnect: false });
    const doc = await editor.doc('flags/promo');
    await doc.update([{ op: 'replace', path: '', value: { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'off' } }]);
    await waitFor(
      () => text.includes('refetchEvaluation'),
      () => `a refetchEvaluation event; the stream so far: ${JSON.stringify(text)}`,
    );
    const [event] = text.split('\n\n').filter((e) => e.includes('data:'));
    assert.match(event!, /^id: 1\nevent: message\ndata: \{"type":"refetchEvaluation","lastModified":\d+\}$/);
    const other = await editor.doc('notes/1');
    await other.update([{ op: 'replace', path: '', value: { text: 'not a flag' } }]);
    await doc.update([{ op: 'replace', path: '/defaultVariant', value: 'on' }]);
    await waitFor(() => text.split('\n\n').filter((e) => e.includes('data:')).length === 2, 'the second event');
    assert.doesNotMatch(text, /id: 3/, 'a document that is not a flag sends nothing');
    abort.abort();
    await reading;
    await doc.close();
    await other.close();
    await editor.close();
  });
});
