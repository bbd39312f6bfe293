import { test } from 'node:test';
import assert from 'node:assert/strict';
import { imageRepository, programOf, UNKNOWN_IMAGE_MESSAGE } from './image.js';

test('imageRepository strips registry, library/, tag and digest', () => {
  const cases: Record<string, [string, string]> = {
    'flotilla/echo': ['flotilla/echo', 'latest'],
    'flotilla/echo:2.0': ['flotilla/echo', '2.0'],
    'docker.io/flotilla/echo:1.0': ['flotilla/echo', '1.0'],
    'localhost:5000/flotilla/echo:dev': ['flotilla/echo', 'dev'],
    'registry.k8s.io/pause:3.10': ['pause', '3.10'],
    'docker.io/library/pause': ['pause', 'latest'],
    'flotilla/echo@sha256:abc': ['flotilla/echo', 'latest'],
  };
  for (const [image, [repository, tag]] of Object.entries(cases)) assert.deepEqual(imageRepository(image), { repository, tag }, image);
});

test('programOf: built-ins, commands, unknown images', () => {
  const cases: Record<string, { c: Parameters<typeof programOf>[0]; want: ReturnType<typeof programOf> }> = {
    'echo with tag': { c: { image: 'docker.io/flotilla/echo:2.0' }, want: { kind: 'builtin', image: 'echo', tag: '2.0' } },
    crashloop: { c: { image: 'flotilla/crashloop' }, want: { kind: 'builtin', image: 'crashloop', tag: 'latest' } },
    pause: { c: { image: 'registry.k8s.io/pause:3.10' }, want: { kind: 'builtin', image: 'pause', tag: '3.10' } },
    'command on any image': { c: { image: 'busybox', command: ['sh', '-c'], args: ['echo hi'] }, want: { kind: 'command', file: 'sh', args: ['-c', 'echo hi'] } },
    'command overrides a built-in': { c: { image: 'flotilla/echo', command: ['sleep', '1'] }, want: { kind: 'command', file: 'sleep', args: ['1'] } },
    'args alone on a built-in': { c: { image: 'flotilla/echo', args: ['x'] }, want: { kind: 'builtin', image: 'echo', tag: 'latest' } },
    'args alone on another image': { c: { image: 'busybox', args: ['sleep', '1'] }, want: { kind: 'unknown', message: `image "busybox" is not available: ${UNKNOWN_IMAGE_MESSAGE}` } },
    'flotilla with args': { c: { image: 'ghcr.io/flotilla/flotilla:0.1.0', args: ['admission', 'serve'] }, want: { kind: 'flotilla', tag: '0.1.0', args: ['admission', 'serve'] } },
    'flotilla without args': { c: { image: 'flotilla/flotilla' }, want: { kind: 'flotilla', tag: 'latest', args: [] } },
    'command overrides flotilla': { c: { image: 'flotilla/flotilla', command: ['node', 'x.js'], args: ['y'] }, want: { kind: 'command', file: 'node', args: ['x.js', 'y'] } },
    'unknown image': { c: { image: 'nginx:1.27' }, want: { kind: 'unknown', message: `image "nginx:1.27" is not available: ${UNKNOWN_IMAGE_MESSAGE}` } },
  };
  for (const [name, { c, want }] of Object.entries(cases)) assert.deepEqual(programOf(c), want, name);
});
