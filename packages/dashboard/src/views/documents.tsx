// Documents: the shared state documents (this node's recent ones first, then the store's), and one document's value and version with its
// patches as they come (a document subscription through the client SDK).
import { useEffect, useState } from 'preact/hooks';
import type { DocumentChange } from '@switchboard/client';
import { api } from '../api';
import { JsonView } from '../json-view';
import { live, type LiveState } from '../live';

interface DocRow {
  doc: string;
  subscribers: number;
  version: number;
}

export function Documents({ state, selected }: { state: LiveState; selected?: string }) {
  const [docs, setDocs] = useState<DocRow[] | undefined>();
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    api<{ docs: DocRow[] }>('/v1/admin/docs').then(
      (r) => setDocs(r.docs),
      (err: Error) => setError(err.message),
    );
  }, [selected, state.updatedAt !== undefined]);
  return (
    <section aria-labelledby="docs-title">
      <h2 id="docs-title">Documents</h2>
      <p class="muted">Shared state documents: those used on this node since it started first, then the rest of the store.</p>
      {error && <p class="error">{error}</p>}
      {docs?.length === 0 && <p class="empty">No document yet.</p>}
      <ul class="chips">
        {docs?.map((d) => (
          <li key={d.doc}>
            <a href={`#/documents/${encodeURIComponent(d.doc)}`} class={`chip ${d.doc === selected ? 'active' : ''}`}>
              {d.doc} <span class="count">v{d.version}</span>
            </a>
          </li>
        ))}
      </ul>
      {selected && <DocumentDetail name={selected} />}
    </section>
  );
}

function DocumentDetail({ name }: { name: string }) {
  const [value, setValue] = useState<unknown>();
  const [version, setVersion] = useState<number | undefined>();
  const [patches, setPatches] = useState<DocumentChange<unknown>[]>([]);
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    const client = live.client;
    if (!client) {
      setError('live events are not connected');
      return;
    }
    let closed = false;
    let close: (() => Promise<void>) | undefined;
    setPatches([]);
    client.doc(name).then(
      (d) => {
        if (closed) return void d.close();
        setValue(d.value);
        setVersion(d.version);
        const off = d.on('change', (c) => {
          setValue(c.value);
          setVersion(c.version);
          setPatches((old) => [c, ...old].slice(0, 100));
        });
        close = async () => {
          off();
          await d.close();
        };
      },
      (err: Error) => setError(err.message),
    );
    return () => {
      closed = true;
      void close?.();
    };
  }, [name]);
  return (
    <article class="detail" aria-label={`document ${name}`}>
      <h3>
        {name} <span class="muted">version {version ?? '…'}</span>
      </h3>
      {error && <p class="error">{error}</p>}
      <JsonView value={value ?? null} />
      <h4>Patches since opened</h4>
      {patches.length === 0 ? (
        <p class="muted">none yet</p>
      ) : (
        <ol class="events">
          {patches.map((p) => (
            <li key={`${p.version}-${p.kind}`}>
              v{p.version} {p.kind} by {p.by ?? '?'}: <code>{JSON.stringify(p.ops)}</code>
            </li>
          ))}
        </ol>
      )}
    </article>
  );
}
