/**
 * What the process runtime runs for a container, as a pure function of the container (with its
 * command and args already `$(VAR)`-expanded): one of the built-in images (run as a Node script
 * beside this file), Flotilla itself (`flotilla/flotilla[:tag]`: the CLI this runtime was built
 * with, its arguments the container's `args`, as the image's entrypoint would be), the
 * container's own `command`, or nothing — an image the runtime does not have, which kubelet
 * reports as `ErrImagePull` / `ImagePullBackOff` rather than pretending to run it.
 */
import type { Container } from 'kubernetes-types/core/v1.js';

export type BuiltinImage = 'echo' | 'crashloop' | 'pause';

export type Program =
  | { readonly kind: 'builtin'; readonly image: BuiltinImage; readonly tag: string }
  | { readonly kind: 'command'; readonly file: string; readonly args: readonly string[] }
  /** `flotilla <args…>`: the image's entrypoint is the CLI (whatever the tag: there is one build here). */
  | { readonly kind: 'flotilla'; readonly tag: string; readonly args: readonly string[] }
  | { readonly kind: 'unknown'; readonly message: string };

export const UNKNOWN_IMAGE_MESSAGE = 'the process runtime runs flotilla/echo, flotilla/crashloop, pause, flotilla/flotilla, or a container with a command';

const FLOTILLA_IMAGE = 'flotilla/flotilla';

/**
 * The repository of an image reference without its registry, `library/` prefix, tag or digest,
 * and the tag (`latest` when none): `docker.io/flotilla/echo:1.0` → `flotilla/echo`, `1.0`.
 */
export function imageRepository(image: string): { repository: string; tag: string } {
  let name = image.trim();
  const at = name.indexOf('@');
  if (at >= 0) name = name.slice(0, at);
  const parts = name.split('/');
  if (parts.length > 1 && (parts[0].includes('.') || parts[0].includes(':') || parts[0] === 'localhost')) parts.shift();
  if (parts.length > 1 && parts[0] === 'library') parts.shift();
  let last = parts[parts.length - 1] ?? '';
  let tag = 'latest';
  const colon = last.lastIndexOf(':');
  if (colon >= 0) {
    tag = last.slice(colon + 1) || 'latest';
    last = last.slice(0, colon);
  }
  parts[parts.length - 1] = last;
  return { repository: parts.join('/'), tag };
}

const BUILTINS: Readonly<Record<string, BuiltinImage>> = {
  'flotilla/echo': 'echo',
  'flotilla/crashloop': 'crashloop',
  pause: 'pause',
  'k8s.gcr.io/pause': 'pause',
};

/**
 * The program for a container. `command` wins over the image (as it overrides the entrypoint);
 * `args` alone replace a built-in image's arguments, which the built-ins ignore, are the CLI's
 * arguments on `flotilla/flotilla`, and on any other image leave nothing to run.
 */
export function programOf(c: Pick<Container, 'image' | 'command' | 'args'>): Program {
  const command = c.command ?? [];
  if (command.length > 0 && command[0]) return { kind: 'command', file: command[0], args: [...command.slice(1), ...(c.args ?? [])] };
  const { repository, tag } = imageRepository(c.image ?? '');
  const builtin = BUILTINS[repository];
  if (builtin) return { kind: 'builtin', image: builtin, tag };
  if (repository === FLOTILLA_IMAGE) return { kind: 'flotilla', tag, args: [...(c.args ?? [])] };
  return { kind: 'unknown', message: `image ${JSON.stringify(c.image ?? '')} is not available: ${UNKNOWN_IMAGE_MESSAGE}` };
}
