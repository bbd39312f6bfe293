import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { createLogger, formatLogLine } from './index.js';

test('formatLogLine renders JSON lines for humans', () => {
  const cases: Record<string, { line: string; want: string }> = {
    'fields after the message': {
      line: JSON.stringify({ level: 30, time: Date.parse('2024-01-01T12:00:01.123Z'), msg: 'reconciled', controller: 'c', object: '/api/v1/namespaces/a/pods/b' }),
      want: '12:00:01.123 INFO  reconciled controller=c object=/api/v1/namespaces/a/pods/b',
    },
    'quoted strings with spaces, JSON for numbers': {
      line: JSON.stringify({ level: 20, time: 0, msg: 'x', why: 'two words', n: 3, name: 'mgr' }),
      want: '00:00:00.000 DEBUG [mgr] x why="two words" n=3',
    },
    'errors keep their message and stack': {
      line: JSON.stringify({ level: 30, time: 0, msg: 'reconciler error', err: { message: 'boom', stack: 'Error: boom\n    at f (x.js:1:1)' } }),
      want: '00:00:00.000 INFO  reconciler error err="boom"\n    at f (x.js:1:1)',
    },
    'not JSON: as is': { line: 'plain', want: 'plain' },
  };
  for (const [name, c] of Object.entries(cases)) assert.equal(formatLogLine(c.line), c.want, name);
});

test('createLogger: JSON by default off a TTY, pretty on request, level respected', async () => {
  const read = async (pretty: boolean, level: 'info' | 'debug'): Promise<string> => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (d) => (text += d));
    const log = createLogger({ level, pretty, destination: out });
    log.debug({ a: 1 }, 'hidden unless debug');
    log.info({ controller: 'c' }, 'shown');
    await new Promise((r) => setImmediate(r));
    return text;
  };
  const json = (await read(false, 'info')).trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(json.map((l) => [l.level, l.msg, l.controller]), [[30, 'shown', 'c']]);
  const pretty = await read(true, 'debug');
  assert.match(pretty, /DEBUG hidden unless debug a=1\n.*INFO  shown controller=c\n$/);
});
