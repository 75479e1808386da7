// How every entry point (the server and the CLIs) reads its configuration, so they all find the same
// database: `.env` in the working directory first, where variables already set in the environment win.
import { existsSync } from 'node:fs';
import { ConfigError, loadConfig, type Config } from '../config.ts';

/** The configuration, or null after printing the one-line reason it is invalid (the caller exits 1). */
export function readProcessConfig(version?: string): Readonly<Config> | null {
  if (existsSync('.env')) process.loadEnvFile('.env');
  try {
    return loadConfig(process.env, version);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(err.message);
    return null;
  }
}
