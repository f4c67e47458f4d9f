// Label values are bounded (metrics.channel_labels, metrics.max_channel_labels); the receive times behind the delivery
// latency are a fixed table; the metrics keys of switchboard.yaml are read and checked.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LabelBudget, OTHER } from '../src/metrics/channel-labels.js';
import { ReceiveTimes } from '../src/metrics/receive-times.js';
import { ConfigError, configFromObject } from '../src/config/config.js';

describe('label budget', () => {
  it('gives the first `max` names a label of their own, for good, and `other` to the rest', () => {
    const b = new LabelBudget({ max: 100 });
    for (let i = 0; i < 150; i++) assert.equal(b.label(`ch.${i}`), i < 100 ? `ch.${i}` : OTHER);
    assert.equal(b.size, 100);
    assert.equal(b.label('ch.7'), 'ch.7', 'a label once given is kept');
    assert.equal(b.label('ch.120'), OTHER, 'a name refused once stays refused');
  });

  it('gives a label of its own only to names matching a pattern, within the budget', () => {
    const b = new LabelBudget({ patterns: ['orders.>', 'market.ticks'], max: 2 });
    assert.deepEqual(
      ['rooms.a', 'orders.new', 'market.ticks', 'orders.paid', 'market.quotes'].map((n) => b.label(n)),
      [OTHER, 'orders.new', 'market.ticks', OTHER, OTHER],
    );
    assert.equal(new LabelBudget({ patterns: [], max: 100 }).label('orders.new'), OTHER, 'no pattern: every name is other');
  });

  it('remembers a bounded number of refused names', () => {
    const b = new LabelBudget({ max: 1 });
    for (let i = 0; i < 50_000; i++) b.label(`room.${i}`);
    assert.equal(b.label('room.0'), 'room.0');
    assert.equal(b.label('room.49999'), OTHER);
  });
});

describe('receive times', () => {
  it('finds the recent publishes of each channel, and forgets a slot taken by a later one', () => {
    const t = new ReceiveTimes(1000);
    for (let seq = 1; seq <= 1024; seq++) t.record(1, seq, seq * 10);
    t.record(2, 7, 5);
    assert.equal(t.find(1, 1024), 10240);
    assert.equal(t.find(2, 7), 5);
    assert.equal(t.find(2, 8), -1, 'never recorded');
    t.record(1, 1025, 1);
    assert.equal(t.find(1, 1), -1, 'its slot went to seq 1025');
    assert.equal(t.find(1, 1025), 1);
  });
});

describe('metrics config', () => {
  it('reads enabled, channel_labels and max_channel_labels', () => {
    assert.deepEqual(configFromObject({}).metrics, { enabled: true, maxChannelLabels: 100 });
    assert.deepEqual(configFromObject({ metrics: { enabled: false, channel_labels: ['market.>', 'orders.new'], max_channel_labels: 20 } }).metrics, {
      enabled: false,
      channelLabels: ['market.>', 'orders.new'],
      maxChannelLabels: 20,
    });
  });

  it('refuses what it cannot use, naming the key and the fix', () => {
    const refusal = (metrics: unknown) => {
      try {
        configFromObject({ metrics }, 'hub.yaml');
      } catch (err) {
        assert.ok(err instanceof ConfigError);
        return err.message;
      }
      assert.fail(`accepted ${JSON.stringify(metrics)}`);
    };
    assert.equal(refusal({ labels: [] }), 'hub.yaml: metrics: unknown key "labels"; known: enabled, channel_labels, max_channel_labels');
    assert.equal(refusal({ channel_labels: 'orders.>' }), 'hub.yaml: metrics.channel_labels must be a list of channel names or patterns, e.g. ["market.>"]');
    assert.match(refusal({ channel_labels: ['ok', 'a..b'] }), /^hub\.yaml: metrics\.channel_labels\[1\]: /);
    assert.match(refusal({ max_channel_labels: 0 }), /max_channel_labels must be a whole number above 0/);
    assert.match(refusal({ enabled: 'yes' }), /metrics\.enabled must be true or false/);
    assert.equal(refusal([]), 'hub.yaml: metrics must be a mapping');
  });
});
