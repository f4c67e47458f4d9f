import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matchChannel, channelNameProblem, channelPatternProblem, isPattern, dlqChannel } from '../src/index.js';

test('* matches exactly one segment', () => {
  assert.equal(matchChannel('market.*', 'market.ticks'), true);
  assert.equal(matchChannel('market.*', 'market.ticks.eu'), false);
  assert.equal(matchChannel('market.*', 'market'), false);
  assert.equal(matchChannel('*.ticks', 'market.ticks'), true);
});

test('> matches one or more trailing segments', () => {
  assert.equal(matchChannel('market.>', 'market.ticks'), true);
  assert.equal(matchChannel('market.>', 'market.ticks.eu'), true);
  assert.equal(matchChannel('market.>', 'market'), false);
  assert.equal(matchChannel('>', 'a.b.c'), true);
});

test('exact names match only themselves', () => {
  assert.equal(matchChannel('market.ticks', 'market.ticks'), true);
  assert.equal(matchChannel('market.ticks', 'market.tick'), false);
});

test('channel names: reserved $ names and wildcards are refused for publishing, with the reason', () => {
  assert.equal(channelNameProblem('market.ticks'), undefined);
  assert.match(channelNameProblem('$dlq.market.ticks')!, /reserved/);
  assert.match(channelNameProblem('market.*')!, /wildcards/);
  assert.match(channelNameProblem('market..ticks')!, /empty/);
  assert.match(channelNameProblem('')!, /non-empty/);
  assert.match(channelNameProblem(42)!, /string/);
  assert.equal(channelNameProblem(dlqChannel('market.ticks'), 256, true), undefined);
});

test('patterns: > only last', () => {
  assert.equal(channelPatternProblem('market.>'), undefined);
  assert.match(channelPatternProblem('market.>.x')!, /last/);
  assert.equal(isPattern('market.*'), true);
  assert.equal(isPattern('market.ticks'), false);
});
