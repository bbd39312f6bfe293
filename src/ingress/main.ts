#!/usr/bin/env node
/**
 * @module A stand-alone entry for `ingress …` (`node dist/src/ingress/main.js ingress run …`),
 * until `flotilla` itself registers the commands; the tests drive the CLI through it.
 */
import { Command } from 'commander';
import { registerIngressCommands } from './cli.js';

const program = new Command().name('flotilla').showHelpAfterError();
registerIngressCommands(program);
program.parseAsync(process.argv).catch((e: Error) => {
  process.stderr.write(`error: ${e.message}\n`);
  process.exit(1);
});
