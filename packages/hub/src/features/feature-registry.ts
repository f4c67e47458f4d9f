import type { DocPatch } from '@switchboard/protocol';
import type { StoredMessage } from '../store/store.js';
import type { HubEvents } from './hub-events.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ConnectionHooks, DocumentProblem, FeatureConnection, FeatureHost, HttpRoute, HubFeature, PublishAttempt } from './feature.js';

/** The parts of the hub a feature is lent (everything of {@link FeatureHost} but the registration calls). */
export type FeatureParts = Omit<
  FeatureHost,
  | 'connection'
  | 'route'
  | 'announcements'
  | 'onResync'
  | 'onClose'
  | 'onPublished'
  | 'onRefused'
  | 'onDelivered'
  | 'onConnection'
  | 'onClientError'
  | 'guardPublish'
  | 'guardHttp'
  | 'tracePublishes'
  | 'routeGroups'
  | 'onGroupOutcome'
  | 'onStart'
  | 'statusSection'
  | 'statusSections'
  | 'checkDocuments'
  | 'documentCheck'
  | 'onDocumentChange'
  | 'documentChanged'
  | 'traceCalls'
  | 'traceCall'
>;

interface ConnectionSpec {
  feature: string;
  ops: readonly string[];
  open(conn: FeatureConnection): ConnectionHooks;
}

/** What the features of one hub registered; the core reads it. */
export class FeatureRegistry {
  /** Connection specs, in registration order; a connection's hooks have the same order. */
  readonly connections: ConnectionSpec[] = [];
  /** Feature op → index of the connection spec that answers it. */
  readonly ops = new Map<string, number>();
  readonly routes: HttpRoute[] = [];
  /** The features' checks of every publish and of every HTTP request (see {@link FeatureHost.guardPublish}). */
  readonly publishGuards: ((attempt: PublishAttempt) => void)[] = [];
  readonly httpGuards: ((req: IncomingMessage, res: ServerResponse) => void)[] = [];
  private readonly announcementHandlers: { prefix: string; handler: (m: StoredMessage) => void }[] = [];
  private readonly resyncs: (() => void)[] = [];
  private readonly closers: (() => void | Promise<void>)[] = [];
  private readonly starts: (() => Promise<void>)[] = [];
  private readonly sections = new Map<string, () => unknown>();
  private readonly docWatchers: { prefix: string; fn: (doc: string, version: number, local?: readonly DocPatch[]) => void }[] = [];
  private readonly docChecks: { prefix: string; check: (doc: string, value: unknown) => DocumentProblem | undefined }[] = [];

  /** Registers each feature in order. An op or route path that another feature (or the core) has is refused. */
  constructor(features: readonly HubFeature[], parts: FeatureParts, coreOps: readonly string[], events: HubEvents) {
    for (const feature of features) {
      const host: FeatureHost = {
        ...parts,
        connection: (spec) => {
          const ops = spec.ops ?? [];
          for (const op of ops) {
            if (coreOps.includes(op) || this.ops.has(op)) throw new Error(`feature "${feature.name}" registers op "${op}", which is already taken`);
            this.ops.set(op, this.connections.length);
          }
          this.connections.push({ feature: feature.name, ops, open: spec.open });
        },
        route: (route) => {
          if (this.routes.some((r) => String(r.path) === String(route.path)))
            throw new Error(`feature "${feature.name}" registers route ${String(route.path)}, which is already taken`);
          this.routes.push(route);
        },
        announcements: (prefix, handler) => this.announcementHandlers.push({ prefix, handler }),
        onResync: (fn) => this.resyncs.push(fn),
        onClose: (fn) => this.closers.push(fn),
        onPublished: (fn) => events.published.push(fn),
        onRefused: (fn) => events.refused.push(fn),
        onDelivered: (fn) => events.delivered.push(fn),
        onConnection: (fn) => events.connections.push(fn),
        onClientError: (fn) => events.clientErrors.push(fn),
        guardPublish: (fn) => this.publishGuards.push(fn),
        guardHttp: (fn) => this.httpGuards.push(fn),
        tracePublishes: (tracer) => {
          if (events.tracer !== undefined && events.tracer !== tracer)
            throw new Error(`feature "${feature.name}" traces publishes, which another feature does`);
          events.tracer = tracer;
        },
        routeGroups: (router) => {
          if (events.groupRouter !== undefined && events.groupRouter !== router)
            throw new Error(`feature "${feature.name}" routes group messages, which another feature does`);
          events.groupRouter = router;
        },
        onGroupOutcome: (fn) => events.groupOutcome.push(fn),
        onStart: (fn) => this.starts.push(fn),
        traceCalls: (tracer) => {
          if (events.callTracer !== undefined && events.callTracer !== tracer)
            throw new Error(`feature "${feature.name}" traces outbound calls, which another feature does`);
          events.callTracer = tracer;
        },
        traceCall: (call) => events.callTracer?.start(call),
        statusSection: (name, fn) => {
          if (this.sections.has(name)) throw new Error(`feature "${feature.name}" adds status section "${name}", which is already taken`);
          this.sections.set(name, fn);
        },
        statusSections: () => this.statusSections(),
        checkDocuments: (prefix, check) => this.docChecks.push({ prefix, check }),
        documentCheck: (doc, value) => this.documentCheck(doc, value),
        onDocumentChange: (prefix, fn) => this.docWatchers.push({ prefix, fn }),
        documentChanged: (doc, version, local) => {
          for (const w of this.docWatchers) if (doc.startsWith(w.prefix)) w.fn(doc, version, local);
        },
      };
      feature.register(host);
    }
  }

  /** The first problem a feature's check finds with the value of document `doc`, or undefined. */
  documentCheck(doc: string, value: unknown): DocumentProblem | undefined {
    for (const c of this.docChecks) {
      if (!doc.startsWith(c.prefix)) continue;
      const problem = c.check(doc, value);
      if (problem) return problem;
    }
    return undefined;
  }

  /** Each status section answered now; one that throws is `{error}`. */
  async statusSections(): Promise<Record<string, unknown>> {
    const out: Record<string, unknown> = {};
    for (const [name, fn] of this.sections) {
      try {
        out[name] = await fn();
      } catch (err) {
        out[name] = { error: (err as Error).message };
      }
    }
    return out;
  }

  /** Hands a cluster announcement to the feature that registered its prefix; false when none did. */
  announce(message: StoredMessage): boolean {
    for (const a of this.announcementHandlers) {
      if (message.ch.startsWith(a.prefix)) {
        a.handler(message);
        return true;
      }
    }
    return false;
  }

  /** Runs the features' start functions (before the hub listens). */
  async start(): Promise<void> {
    for (const fn of this.starts.splice(0)) await fn();
  }

  resync(): void {
    for (const fn of this.resyncs) fn();
  }

  async close(): Promise<void> {
    for (const fn of this.closers) await fn();
  }
}
