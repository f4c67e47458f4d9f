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
  KvKeysOptions,
} from './store.js';
export { createSqliteStore, type SqliteStoreOptions } from './sqlite/sqlite-store.js';
export type { JetStreamStore, JetStreamStoreOptions } from './jetstream/jetstream-store.js';
export type { NatsConnectOptions } from './jetstream/connection.js';
export { openStoreFileReader, type StoreFileReader, type StoredChannel } from './sqlite/store-file-reader.js';
