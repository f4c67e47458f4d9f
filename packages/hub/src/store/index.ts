export type {
  Store,
  ChannelStoreOptions,
  AppendInput,
  StoredMessage,
  AppendResult,
  ChannelInfo,
  GroupStart,
  GroupOptions,
  GroupDelivery,
  GroupCursor,
  VersionedValue,
} from './store.js';
export { createSqliteStore, type SqliteStoreOptions } from './sqlite-store.js';
