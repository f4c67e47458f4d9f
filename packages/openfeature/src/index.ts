export { SwitchboardProvider, type SwitchboardProviderOptions } from './provider.js';
