#!/usr/bin/env node
/**
 * @module A stand-alone `bluegreen` command (the same commands `flotilla bluegreen` registers), for
 * the rollout's own end-to-end tests and for CI images that want only this step.
 */
import { Command } from 'commander';
import { registerBluegreenCommands } from './cli.js';

const program = new Command().name('flotilla').showHelpAfterError();
registerBluegreenCommands(program);
program.parseAsync(process.argv).catch((e: Error) => {
  process.stderr.write(`error: ${e.message}\n`);
  process.exit(1);
});
