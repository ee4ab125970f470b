/**
 * The CLI's commands that are not kinds of work (those are connector/work/registry.ts), each
 * declared once in its file in the same shape (command.ts); program.ts makes them, in this order
 * after the kinds', as it makes the kinds'.
 */
import type { AnyCliCommand } from './command.ts';
import { demo } from './demo.ts';
import { documents } from './documents.ts';
import { enqueue } from './enqueue.ts';
import { match } from './match.ts';
import { setup } from './setup.ts';
import { simulator } from './simulator.ts';
import { worker } from './worker.ts';

export const COMMANDS: readonly AnyCliCommand[] = [match, documents, worker, enqueue, setup, simulator, demo];
