import type { DocPatchFrame, WelcomeFrame } from '@switchboard/protocol';
import { DocumentImpl, type DocumentHost } from './document.js';
import type { Link } from './link.js';
import type { SharedDocument } from './types.js';

/** Settings of a {@link Documents} table. */
export interface DocumentsOptions {
  component: string;
  updateTimeoutMs: number;
  requestTimeoutMs: number;
  newRef(): string;
  emitError(err: Error): void;
}

/** The client's document handles across sockets: routes `doc.patch` frames and subscribes them again after a reconnect. */
export class Documents {
  private readonly handles = new Map<string, DocumentImpl<unknown>>();
  private readonly host: DocumentHost;

  constructor(link: Link, options: DocumentsOptions) {
    this.host = {
      link,
      component: options.component,
      updateTimeoutMs: options.updateTimeoutMs,
      requestTimeoutMs: options.requestTimeoutMs,
      newRef: options.newRef,
      emitError: options.emitError,
      forget: (doc) => {
        if (this.handles.get(doc.name) === doc) this.handles.delete(doc.name);
      },
    };
  }

  /** The handle of `name`, made and subscribed if there is none; resolves once its snapshot arrived. */
  async open<T>(name: string): Promise<SharedDocument<T>> {
    let doc = this.handles.get(name);
    if (!doc) {
      doc = new DocumentImpl<unknown>(name, this.host);
      this.handles.set(name, doc);
      doc.subscribe();
    }
    await doc.ready;
    return doc as unknown as SharedDocument<T>;
  }

  /** A `doc.patch` frame. */
  route(f: DocPatchFrame): void {
    this.handles.get(f.doc)?.patch(f);
  }

  /**
   * A welcome arrived. A resumed session lists the document subscriptions the hub restored (extension field
   * `docs`): a handle at the listed version takes its subscription back (the patches after it follow); the others
   * subscribe anew for a fresh snapshot, and restored ones without a handle are unsubscribed.
   */
  restore(welcome: WelcomeFrame): void {
    const restored = new Map<string, number>();
    if (welcome.resumed === true && Array.isArray(welcome.docs)) {
      for (const d of welcome.docs) if (typeof d?.doc === 'string' && typeof d.version === 'number') restored.set(d.doc, d.version);
    }
    for (const doc of [...this.handles.values()]) {
      const version = restored.get(doc.name);
      restored.delete(doc.name);
      if (version !== undefined) doc.resumed(version);
      else doc.subscribe();
    }
    for (const name of restored.keys()) this.host.link.send({ op: 'doc.unsub', doc: name });
  }

  /** The socket dropped. */
  detachAll(): void {
    for (const doc of this.handles.values()) doc.detach();
  }

  /** The client closed: every handle ends, its pending updates reject with `err`; iterations end (throwing `err` unless `quiet`). */
  endAll(err: Error, quiet: boolean): void {
    for (const doc of [...this.handles.values()]) doc.end(err, { all: true, quiet });
    this.handles.clear();
  }
}
