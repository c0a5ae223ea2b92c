/**
 * The CLI's engine: one per process, built on first use by the shared composition root (core/engine.ts) over the
 * data folder (EARSHOT_HOME or the per-user folder), so every command sees the same licenses, quota and models.
 */
import { createEngine, type Engine } from '../core/engine.ts';

let engine: Engine | undefined;

export function cliEngine(): Engine {
  engine ??= createEngine();
  return engine;
}
