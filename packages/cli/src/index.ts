/**
 * @switchboard/cli — the `switchboard` command as a library: {@link main} runs it with arguments, and
 * {@link startHub} composes and starts a hub node the way `switchboard start` does (for a program, or a test,
 * that runs a hub inside its own process).
 */
export { main } from './main.js';
export { startHub, StartHubError, type StartHubOptions, type StartedHub, type JetStreamOptions } from './commands/start-hub.js';
