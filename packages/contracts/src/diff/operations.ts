import { readFileSync } from 'node:fs';
import { ContractLoadError } from '../errors.js';
import { child, isObject, SourceRegistry, type Loc } from '../source-files.js';
import type { LoadOptions } from '../types.js';

/**
 * Checks that every operation's messages belong to its channel: each `operations.<id>.messages[].$ref` must point
 * under `#/channels/<the operation's channel>/messages/` (and likewise for `reply.messages` when the reply names a
 * channel). Returns one {@link ContractLoadError} per misplaced message, with the place of its `$ref` and the fix.
 * Problems that {@link loadContractDocuments} reports itself (unparsable files, broken `$ref`s) are not repeated:
 * run the load first.
 */
export function checkOperationMessages(docs: ReadonlyArray<{ file: string; text: string }>, options: Pick<LoadOptions, 'readFile'> = {}): ContractLoadError[] {
  const reg = new SourceRegistry(options.readFile ?? ((p) => readFileSync(p, 'utf8')));
  const problems: ContractLoadError[] = [];
  for (const d of docs) {
    let src;
    try {
      src = reg.add(d.file, d.text);
    } catch {
      continue;
    }
    if (!isObject(src.value) || !('asyncapi' in src.value) || !isObject(src.value.operations)) continue;
    const opsLoc = child({ src, pointer: '' }, 'operations');
    for (const name of Object.keys(src.value.operations)) {
      try {
        const { loc, value: op } = reg.deref(child(opsLoc, name));
        if (!isObject(op)) continue;
        checkMessages(reg, name, op, loc, 'operation', problems);
        if (isObject(op.reply)) checkMessages(reg, name, op.reply, child(loc, 'reply'), 'reply of operation', problems);
      } catch (e) {
        if (!(e instanceof ContractLoadError)) throw e;
      }
    }
  }
  return problems;
}

function checkMessages(reg: SourceRegistry, name: string, holder: Record<string, unknown>, loc: Loc, what: string, problems: ContractLoadError[]): void {
  if (!isObject(holder.channel) || typeof holder.channel.$ref !== 'string' || !Array.isArray(holder.messages)) return;
  const channelRef = holder.channel.$ref;
  const channelLoc = reg.resolveRef(channelRef, child(child(loc, 'channel'), '$ref'));
  const targets = [channelLoc];
  const derefd = reg.deref(channelLoc).loc;
  if (derefd.src.abs !== channelLoc.src.abs || derefd.pointer !== channelLoc.pointer) targets.push(derefd);
  holder.messages.forEach((m, i) => {
    if (!isObject(m) || typeof m.$ref !== 'string') return;
    const refLoc = child(child(child(loc, 'messages'), i), '$ref');
    const msgLoc = reg.resolveRef(m.$ref, refLoc);
    const inChannel = targets.some((t) => t.src.abs === msgLoc.src.abs && msgLoc.pointer.startsWith(`${t.pointer}/messages/`));
    if (inChannel) return;
    const channel = reg.at(derefd).value;
    const keys = isObject(channel) && isObject(channel.messages) ? Object.keys(channel.messages) : [];
    const base = channelRef.includes('#') ? channelRef.slice(0, channelRef.indexOf('#')) : '';
    const choices = keys.length > 0 ? keys.map((k) => `${base}#${channelLoc.pointer}/messages/${k}`).join(', ') : `none: the channel declares no messages`;
    problems.push(
      new ContractLoadError(
        reg.place(refLoc),
        `${what} "${name}" lists message "${m.$ref}", which is not a message of its channel "${channelRef}"`,
        `point the $ref at one of the channel's messages (${choices}), add the message to the channel's messages, or change the ${what === 'operation' ? "operation's" : "reply's"} channel`,
      ),
    );
  });
}
