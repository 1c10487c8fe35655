// Issue 13, live folders: the watch caps and the event-stream heartbeat.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';

describe('LIVE_* settings', () => {
  it('default to 1,000 watches, 10 folders per session and a 15 s heartbeat; 0 watches turns live folders off', () => {
    expect(loadConfig({}).live).toEqual({ maxWatches: 1000, maxWatchesPerSession: 10, heartbeatSeconds: 15 });
    expect(loadConfig({ LIVE_MAX_WATCHES: '0', LIVE_MAX_WATCHES_PER_SESSION: '1', LIVE_HEARTBEAT_SECONDS: '300' }).live).toEqual({ maxWatches: 0, maxWatchesPerSession: 1, heartbeatSeconds: 300 });
  });

  it('refuses values out of range by name', () => {
    for (const [name, bad] of [['LIVE_MAX_WATCHES', '-1'], ['LIVE_MAX_WATCHES_PER_SESSION', '0'], ['LIVE_HEARTBEAT_SECONDS', '0'], ['LIVE_HEARTBEAT_SECONDS', '301']] as const) {
      expect(() => loadConfig({ [name]: bad }), `${name}=${bad}`).toThrow(new RegExp(`^${name}: expected an integer`));
    }
  });
});
