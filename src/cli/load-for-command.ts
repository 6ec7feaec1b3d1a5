import { ManifestError, formatIssue } from '../errors.js';
import { loadManifest } from '../manifest/load.js';
import type { Manifest } from '../manifest/schema.js';
import type { CommandOptions } from './main.js';

/** Loads the manifest for a command, or reports why not (returns the exit code then). */
export async function loadForCommand(o: CommandOptions): Promise<Manifest | 1 | 2> {
  try {
    return (await loadManifest(o.path ? { path: o.path } : {})).manifest;
  } catch (err) {
    if (!(err instanceof ManifestError)) throw err;
    o.err(err.issues.length ? err.issues.map(formatIssue).join('\n') : err.message);
    return err.code === 'manifest_invalid' ? 1 : 2;
  }
}
