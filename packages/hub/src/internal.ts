/** Internals for sibling packages and tests; not a stable API. */
export { Router, checkPublish } from './publish/router.js';
export { ChannelTable, Channel } from './channels/channel-table.js';
export { PendingTracker } from './delivery/pending-tracker.js';
export { msgFrame } from './delivery/frames.js';
export { createAuthenticator, type Identity, type Authenticator } from './auth/authenticator.js';
export { makeDirectory } from './store/sqlite/make-directory.js';
export { metricsFeature } from './metrics/metrics-feature.js';
