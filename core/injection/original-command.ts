/**
 * The argv a container would run without injection, with Kubernetes' command/args semantics: `command` replaces the
 * image's ENTRYPOINT (and drops its CMD), `args` replaces CMD. The image's ENTRYPOINT/CMD come from the registry,
 * resolved by the caller (the webhook) for the containers `imageCommandNeeded` names.
 */
import { TerminalError } from '../errors.js';
import type { Container } from './pod-types.js';

export interface ImageCommand {
  readonly entrypoint: readonly string[];
  readonly cmd: readonly string[];
}

/** True when the container has no `command`, so its argv depends on the image config. */
export const imageCommandNeeded = (container: Container): boolean => (container.command ?? []).length === 0;

export function originalCommand(container: Container, image: ImageCommand | undefined): string[] {
  const command = container.command ?? [];
  const args = container.args ?? [];
  if (command.length > 0) return [...command, ...args];
  if (image === undefined) {
    throw new TerminalError('CommandUnresolved', `container '${container.name}' has no command and the ENTRYPOINT/CMD of image '${container.image ?? ''}' was not resolved`);
  }
  const argv = [...image.entrypoint, ...(args.length > 0 ? args : image.cmd)];
  if (argv.length === 0) throw new TerminalError('CommandUnresolved', `container '${container.name}': image '${container.image ?? ''}' has no ENTRYPOINT or CMD and the container sets no command`);
  return argv;
}
